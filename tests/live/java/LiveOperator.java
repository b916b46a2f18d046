// A stand-in for Strimzi's Topic Operator and User Operator, used only by tests/live.rs: it reads
// kbundle's rendered YAML stream and applies every KafkaTopic and KafkaUser to the live broker
// with the Admin client, mapping each field the way Strimzi does (sources cited per mapping,
// all in github.com/strimzi/strimzi-kafka-operator):
//
//   KafkaTopic  -> createTopics: name = spec.topicName, else metadata.name; spec.partitions;
//                  spec.replicas, capped at the broker count (the test has one broker; said in
//                  the output); spec.config values as strings
//                  (topic-operator/.../BatchingTopicController.java, TopicOperatorUtil.topicName)
//   KafkaUser   -> principal User:<name> for scram-sha-512, User:CN=<name> for tls and
//                  tls-external (user-operator/.../model/KafkaUserModel.java getUserName,
//                  getTlsUserName, getScramUserName)
//   acls[]      -> one AclBinding per operation (`operations`, or the older `operation`):
//                  type allow|deny (default allow), host (default *), resource type topic |
//                  group | transactionalId | cluster (name kafka-cluster), patternType
//                  literal -> LITERAL, prefix -> PREFIXED (default literal)
//                  (user-operator/.../model/acl/SimpleAclRule.java fromCrd, toKafkaAclBinding;
//                  SimpleAclRuleResource.java toKafkaResourcePattern; the defaults are the
//                  KafkaUser CRD's: install/cluster-operator/044-Crd-kafkauser.yaml)
//   quotas      -> client quotas on entity user=<user name> (the same name as the principal):
//                  producer_byte_rate, consumer_byte_rate, request_percentage,
//                  controller_mutation_rate (user-operator/.../model/QuotaUtils.java
//                  toClientQuotaAlterationOps; operator/KafkaUserQuotasOperator.java)
//   scram       -> alterUserScramCredentials upsert, SCRAM-SHA-512, 4096 iterations
//                  (user-operator/.../operator/ScramCredentialsOperator.java); the password
//                  comes from the harness (Strimzi generates one into a Secret)
//
// Usage: LiveOperator <admin.properties> <rendered.yaml> <passwords.properties> <brokers>
// Prints one line per applied item; exits 1 on anything it does not understand.
import java.io.FileInputStream;
import java.io.FileReader;
import java.util.*;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.acl.*;
import org.apache.kafka.common.quota.*;
import org.apache.kafka.common.resource.*;
import org.yaml.snakeyaml.Yaml;

public class LiveOperator {
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String what) {
        if (o == null) return Map.of();
        if (!(o instanceof Map)) throw new IllegalArgumentException(what + " is not a mapping");
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    static AclOperation operation(String op) {
        switch (op) {
            case "Read": return AclOperation.READ;
            case "Write": return AclOperation.WRITE;
            case "Create": return AclOperation.CREATE;
            case "Delete": return AclOperation.DELETE;
            case "Alter": return AclOperation.ALTER;
            case "Describe": return AclOperation.DESCRIBE;
            case "ClusterAction": return AclOperation.CLUSTER_ACTION;
            case "AlterConfigs": return AclOperation.ALTER_CONFIGS;
            case "DescribeConfigs": return AclOperation.DESCRIBE_CONFIGS;
            case "IdempotentWrite": return AclOperation.IDEMPOTENT_WRITE;
            case "All": return AclOperation.ALL;
            default: throw new IllegalArgumentException("unknown ACL operation " + op);
        }
    }

    static ResourcePattern pattern(Map<String, Object> r) {
        String type = (String) r.get("type");
        String name = (String) r.get("name");
        PatternType p = "prefix".equals(r.getOrDefault("patternType", "literal")) ? PatternType.PREFIXED : PatternType.LITERAL;
        switch (type) {
            case "topic": return new ResourcePattern(ResourceType.TOPIC, name, p);
            case "group": return new ResourcePattern(ResourceType.GROUP, name, p);
            case "transactionalId": return new ResourcePattern(ResourceType.TRANSACTIONAL_ID, name, p);
            case "cluster": return new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL);
            default: throw new IllegalArgumentException("unknown ACL resource type " + type);
        }
    }

    public static void main(String[] args) throws Exception {
        Properties admin = new Properties();
        try (FileInputStream in = new FileInputStream(args[0])) { admin.load(in); }
        Properties passwords = new Properties();
        try (FileInputStream in = new FileInputStream(args[2])) { passwords.load(in); }
        int brokers = Integer.parseInt(args[3]);
        List<NewTopic> topics = new ArrayList<>();
        List<AclBinding> acls = new ArrayList<>();
        List<ClientQuotaAlteration> quotas = new ArrayList<>();
        List<UserScramCredentialAlteration> scram = new ArrayList<>();
        try (FileReader reader = new FileReader(args[1])) {
            for (Object doc : new Yaml().loadAll(reader)) {
                Map<String, Object> o = map(doc, "document");
                Object kind = o.get("kind");
                Map<String, Object> meta = map(o.get("metadata"), "metadata");
                Map<String, Object> spec = map(o.get("spec"), "spec");
                String name = (String) meta.get("name");
                if ("KafkaTopic".equals(kind)) {
                    String topic = (String) spec.getOrDefault("topicName", name);
                    int partitions = ((Number) spec.get("partitions")).intValue();
                    int replicas = ((Number) spec.get("replicas")).intValue();
                    short capped = (short) Math.min(replicas, brokers);
                    Map<String, String> configs = new TreeMap<>();
                    for (Map.Entry<String, Object> e : map(spec.get("config"), "config").entrySet())
                        configs.put(e.getKey(), String.valueOf(e.getValue()));
                    topics.add(new NewTopic(topic, partitions, capped).configs(configs));
                    System.out.println("TOPIC " + topic + " partitions=" + partitions + " replicas=" + capped
                            + (capped != replicas ? " (spec " + replicas + ", capped to " + brokers + " broker)" : "")
                            + " config=" + configs);
                } else if ("KafkaUser".equals(kind)) {
                    String auth = (String) map(spec.get("authentication"), "authentication").get("type");
                    String user = ("tls".equals(auth) || "tls-external".equals(auth)) ? "CN=" + name : name;
                    String principal = "User:" + user;
                    Map<String, Object> authz = map(spec.get("authorization"), "authorization");
                    if (!authz.isEmpty() && !"simple".equals(authz.get("type")))
                        throw new IllegalArgumentException(name + ": authorization type " + authz.get("type"));
                    for (Object ruleObj : list(authz.get("acls"))) {
                        Map<String, Object> rule = map(ruleObj, "acl");
                        AclPermissionType perm = "deny".equals(rule.getOrDefault("type", "allow")) ? AclPermissionType.DENY : AclPermissionType.ALLOW;
                        String host = (String) rule.getOrDefault("host", "*");
                        List<Object> ops = rule.containsKey("operations") ? list(rule.get("operations")) : List.of(rule.get("operation"));
                        for (Object op : ops) {
                            AclBinding b = new AclBinding(pattern(map(rule.get("resource"), "resource")),
                                    new AccessControlEntry(principal, host, operation((String) op), perm));
                            acls.add(b);
                            System.out.println("ACL " + b);
                        }
                    }
                    Map<String, Object> q = map(spec.get("quotas"), "quotas");
                    if (!q.isEmpty()) {
                        List<ClientQuotaAlteration.Op> qops = new ArrayList<>();
                        String[][] keys = {{"producerByteRate", "producer_byte_rate"}, {"consumerByteRate", "consumer_byte_rate"},
                                {"requestPercentage", "request_percentage"}, {"controllerMutationRate", "controller_mutation_rate"}};
                        for (String[] k : keys) {
                            Object v = q.get(k[0]);
                            qops.add(new ClientQuotaAlteration.Op(k[1], v == null ? null : ((Number) v).doubleValue()));
                        }
                        quotas.add(new ClientQuotaAlteration(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, user)), qops));
                        System.out.println("QUOTA user=" + user + " " + q);
                    }
                    if ("scram-sha-512".equals(auth)) {
                        String pw = passwords.getProperty(name);
                        if (pw == null) throw new IllegalArgumentException("no password for SCRAM user " + name);
                        scram.add(new UserScramCredentialUpsertion(name, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), pw));
                        System.out.println("SCRAM " + name);
                    }
                }
            }
        }
        try (Admin a = Admin.create(admin)) {
            a.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            if (!acls.isEmpty()) a.createAcls(acls).all().get(60, TimeUnit.SECONDS);
            if (!quotas.isEmpty()) a.alterClientQuotas(quotas).all().get(60, TimeUnit.SECONDS);
            if (!scram.isEmpty()) a.alterUserScramCredentials(new ArrayList<>(scram)).all().get(60, TimeUnit.SECONDS);
        }
        System.out.println("APPLIED topics=" + topics.size() + " acls=" + acls.size() + " quotas=" + quotas.size() + " scram=" + scram.size());
    }
}
