// Reads a JSON array of {"id", "writer", "reader"} schema pairs on stdin and prints, per pair,
// `id<TAB>verdict` where verdict is what Apache Avro's Java SchemaCompatibility (the checker
// Confluent Schema Registry runs) decides: compatible, incompatible, invalid (a schema does not
// parse with Schema.Parser) or error (the check threw, which the registry reports as a failure).
// Used by tests/avro_java.rs; kbundle's own code, not copied from Avro.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

public class Checker {
  public static void main(String[] args) throws Exception {
    JsonNode pairs = new ObjectMapper().readTree(System.in);
    StringBuilder out = new StringBuilder();
    for (JsonNode pair : pairs) {
      out.append(pair.get("id").asText()).append('\t')
          .append(verdict(pair.get("writer").asText(), pair.get("reader").asText()))
          .append('\n');
    }
    System.out.print(out);
  }

  static String verdict(String writerText, String readerText) {
    Schema writer;
    Schema reader;
    try {
      // A new parser per schema, as the registry parses each version on its own.
      writer = new Schema.Parser().parse(writerText);
      reader = new Schema.Parser().parse(readerText);
    } catch (RuntimeException e) {
      return "invalid";
    }
    try {
      SchemaCompatibility.SchemaCompatibilityType type =
          SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType();
      return type == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE
          ? "compatible" : "incompatible";
    } catch (RuntimeException e) {
      return "error";
    }
  }
}
