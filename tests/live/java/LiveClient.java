// The live tests' Kafka client (tests/live.rs): runs steps as one principal, whose connection
// settings are in the properties file, and prints one result line per step:
//   OK <detail>            the step did its job
//   DENIED <Class>: <msg>  the broker refused it (an org.apache.kafka AuthorizationException)
//   ERROR <Class>: <msg>   anything else
// Records a consume step reads are printed before its result as `REC <key>\t<value>`.
// Every wait is bounded (each step gives up after its timeout).
//
// Steps:  produce:T:N[:PREFIX]   N records to T (acks=all), values {"id":"PREFIX<i>","n":<i>}
//         produce-lines:T:FILE   each line of FILE as one record value to T
//         txn:T:ID:N             N records to T in one committed transaction, transactional.id ID
//         consume:T:G:N[:rc]     as member of group G, read N records of T, commit them
//                                (rc: isolation.level=read_committed)
//         assign:T:N             read N records of T's partition 0 without a group
//         describe-configs:T     Admin describeConfigs of topic T
//         create-topic:T         Admin createTopics T (1 partition)
//         quotas:USER            Admin describeClientQuotas of user USER
//         http:METHOD:URL[:FILE] an HTTP request (JSON body from FILE); prints status and body
//
// Usage: LiveClient <client.properties> <step>...
import java.io.FileInputStream;
import java.net.URI;
import java.net.http.*;
import java.nio.file.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.quota.*;
import org.apache.kafka.common.serialization.*;

public class LiveClient {
    static final long TIMEOUT_MS = 20_000;
    static Properties base = new Properties();

    static Properties props(Object... kv) {
        Properties p = new Properties();
        p.putAll(base);
        for (int i = 0; i < kv.length; i += 2) p.put(kv[i], kv[i + 1]);
        return p;
    }

    static Properties producerProps() {
        return props(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
    }

    static String produce(String topic, List<String> values) throws Exception {
        try (Producer<String, String> p = new KafkaProducer<>(producerProps())) {
            for (int i = 0; i < values.size(); i++)
                p.send(new ProducerRecord<>(topic, "k" + i, values.get(i))).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return "produced=" + values.size();
        }
    }

    static String txn(String topic, String id, int n) throws Exception {
        Properties pp = producerProps();
        pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        try (Producer<String, String> p = new KafkaProducer<>(pp)) {
            p.initTransactions();
            p.beginTransaction();
            for (int i = 0; i < n; i++) p.send(new ProducerRecord<>(topic, "t" + i, "{\"tx\":" + i + "}"));
            p.commitTransaction();
            return "committed=" + n;
        }
    }

    static String poll(Consumer<String, String> c, int n) {
        int got = 0;
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (got < n && System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                System.out.println("REC " + r.key() + "\t" + r.value());
                got++;
            }
        }
        return "consumed=" + got;
    }

    static Properties consumerProps(String group, boolean rc) {
        Properties p = props(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        if (group != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        if (rc) p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    static String consume(String topic, String group, int n, boolean rc) {
        try (Consumer<String, String> c = new KafkaConsumer<>(consumerProps(group, rc))) {
            c.subscribe(List.of(topic));
            String result = poll(c, n);
            c.commitSync(Duration.ofMillis(TIMEOUT_MS));
            OffsetAndMetadata committed = c.committed(Set.of(new TopicPartition(topic, 0)), Duration.ofMillis(TIMEOUT_MS))
                    .get(new TopicPartition(topic, 0));
            return result + " committed-p0=" + (committed == null ? "none" : committed.offset());
        }
    }

    static String assign(String topic, int n) {
        try (Consumer<String, String> c = new KafkaConsumer<>(consumerProps(null, false))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            return poll(c, n);
        }
    }

    static String http(String method, String url, String file) throws Exception {
        HttpRequest.BodyPublisher body = file == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(Files.readString(Path.of(file)));
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMillis(TIMEOUT_MS))
                .header("Content-Type", "application/json").method(method, body).build();
        HttpResponse<String> resp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                .send(req, HttpResponse.BodyHandlers.ofString());
        return "status=" + resp.statusCode() + " body=" + resp.body().replace('\n', ' ');
    }

    static String step(String step) throws Exception {
        String[] a = step.split(":", -1);
        switch (a[0]) {
            case "produce": {
                int n = Integer.parseInt(a[2]);
                String prefix = a.length > 3 ? a[3] : "";
                List<String> values = new ArrayList<>();
                for (int i = 0; i < n; i++) values.add("{\"id\":\"" + prefix + i + "\",\"n\":" + i + "}");
                return produce(a[1], values);
            }
            case "produce-lines":
                return produce(a[1], Files.readAllLines(Path.of(step.substring(a[0].length() + a[1].length() + 2))));
            case "txn": return txn(a[1], a[2], Integer.parseInt(a[3]));
            case "consume": return consume(a[1], a[2], Integer.parseInt(a[3]), a.length > 4 && a[4].equals("rc"));
            case "assign": return assign(a[1], Integer.parseInt(a[2]));
            case "describe-configs":
                try (Admin ad = Admin.create(base)) {
                    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, a[1]);
                    Config c = ad.describeConfigs(List.of(r)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).get(r);
                    return "configs=" + c.entries().size();
                }
            case "create-topic":
                try (Admin ad = Admin.create(base)) {
                    ad.createTopics(List.of(new NewTopic(a[1], 1, (short) 1))).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    return "created=" + a[1];
                }
            case "quotas":
                try (Admin ad = Admin.create(base)) {
                    ClientQuotaFilter f = ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.USER, a[1])));
                    Map<ClientQuotaEntity, Map<String, Double>> q = ad.describeClientQuotas(f).entities().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    return "quotas=" + new TreeMap<>(q.values().stream().findFirst().orElse(Map.of()));
                }
            case "http": {
                // http:METHOD:http://host:port/path[:FILE] (the URL holds two colons itself)
                String rest = step.substring(a[0].length() + a[1].length() + 2);
                int cut = rest.indexOf(':', rest.indexOf("//") + 2);
                cut = rest.indexOf(':', cut + 1);
                String url = cut < 0 ? rest : rest.substring(0, cut);
                String file = cut < 0 ? null : rest.substring(cut + 1);
                return http(a[1], url, file);
            }
            default: throw new IllegalArgumentException("unknown step " + step);
        }
    }

    public static void main(String[] args) throws Exception {
        try (FileInputStream in = new FileInputStream(args[0])) { base.load(in); }
        for (int i = 1; i < args.length; i++) {
            String line;
            try {
                line = "OK " + step(args[i]);
            } catch (Throwable t) {
                Throwable c = t;
                while (c != null && !(c instanceof AuthorizationException)) c = c.getCause();
                line = c != null ? "DENIED " + c.getClass().getSimpleName() + ": " + c.getMessage()
                        : "ERROR " + t.getClass().getSimpleName() + ": " + t.getMessage();
            }
            System.out.println(line.replace('\n', ' '));
            System.out.flush();
        }
    }
}
