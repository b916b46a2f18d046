// The Kafka Streams application of the live tests (principal stats-counter, bundle stats):
// counts events per "user" field. selectKey forces a repartition topic, count() keeps a state
// store with a changelog, and processing.guarantee is exactly_once_v2 — so it needs every kind
// of ACL kbundle's `streams` role grants, and nothing else.
//
// Usage: StatsCounter <client.properties> <input> <output> <state-dir> <max-seconds>
// Runs until it has been RUNNING with no new input for a few seconds after emitting at least
// one count, or <max-seconds> passed; exits 0 only if it never entered ERROR.
import java.io.FileInputStream;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.*;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.*;
import org.apache.kafka.streams.kstream.*;

public class StatsCounter {
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (FileInputStream in = new FileInputStream(args[0])) { p.load(in); }
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "stats-counter");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        p.put(StreamsConfig.STATE_DIR_CONFIG, args[3]);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        // No record cache: every input record yields one count update downstream.
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

        AtomicLong emitted = new AtomicLong();
        StreamsBuilder b = new StreamsBuilder();
        b.<String, String>stream(args[1])
                .selectKey((k, v) -> v.replaceAll(".*\"user\":\"([^\"]*)\".*", "$1"))
                .groupByKey()
                .count(Materialized.as("per-user"))
                .toStream()
                .mapValues(Object::toString)
                .peek((k, v) -> emitted.incrementAndGet())
                .to(args[2]);

        AtomicBoolean failed = new AtomicBoolean();
        try (KafkaStreams streams = new KafkaStreams(b.build(), p)) {
            streams.setStateListener((now, before) -> {
                System.err.println("STATE " + before + " -> " + now);
                if (now == KafkaStreams.State.ERROR) failed.set(true);
            });
            streams.setUncaughtExceptionHandler(e -> {
                System.err.println("UNCAUGHT " + e);
                failed.set(true);
                return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();
            long deadline = System.currentTimeMillis() + Long.parseLong(args[4]) * 1000;
            long last = -1, quietSince = System.currentTimeMillis();
            while (System.currentTimeMillis() < deadline && !failed.get()) {
                Thread.sleep(250);
                long now = emitted.get();
                if (now != last) { last = now; quietSince = System.currentTimeMillis(); }
                if (now > 0 && System.currentTimeMillis() - quietSince > 4000) break;
            }
            System.err.println("EMITTED " + emitted.get());
            streams.close(Duration.ofSeconds(20));
        }
        System.exit(failed.get() ? 1 : 0);
    }
}
