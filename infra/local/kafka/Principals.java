// The local stack's SASL principals, ACLs and client quotas (infra/local/stack.sh, FLK_STACK_SASL=1),
// set through Kafka's own Admin API (the jars already on the broker's classpath; no Kafka CLI is
// shipped by Maven for 4.x). Run as a single-file source program:
//
//   java -cp '<kafka jars>/*' infra/local/kafka/Principals.java <bootstrap> <sasl dir> <tenants> <producer_byte_rate> <request_percentage>
//
// Idempotent: SCRAM credentials are upserted, ACL bindings that exist are left as they are (Kafka
// treats a duplicate binding as a no-op), quotas are set to the given values. Passwords are read from
// <sasl dir>/<principal>.password (written by stack.sh, mode 0600) and never printed.
//
// What each principal may do (StandardAuthorizer, everything else denied):
//   tenant-<id>   Write (+ implied Describe) on pcs.submitted; nothing else, no group, no read.
//                 Quotas: producer_byte_rate, request_percentage on its user entity.
//   flk-verifier  Read pcs.submitted; Write pcs.verdicts, pcs.dlq, pcs.replies; Read groups flk-verifier*;
//                 Write/Describe transactional ids flk-verifier*; IdempotentWrite on the cluster.
//   flk-sink      Read pcs.verdicts; Read groups flk-sink*.
//   flk-gateway   Write pcs.submitted; Read pcs.replies; Read groups flk-gateway*.
//   flk-registry  Read/Write/DescribeConfigs on _schemas; Read groups flk-schema-registry*.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

public class Principals {
  static final List<AclBinding> acls = new ArrayList<>();

  static void allow(String user, ResourceType type, String name, PatternType pattern, AclOperation... ops) {
    for (AclOperation op : ops) {
      acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
          new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
    }
  }

  static void topic(String user, String topic, AclOperation... ops) { allow(user, ResourceType.TOPIC, topic, PatternType.LITERAL, ops); }

  static void group(String user, String prefix) { allow(user, ResourceType.GROUP, prefix, PatternType.PREFIXED, AclOperation.READ, AclOperation.DESCRIBE); }

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: Principals <bootstrap> <sasl dir> <tenants,...> <producer_byte_rate> <request_percentage>");
      System.exit(2);
    }
    String bootstrap = args[0];
    Path dir = Path.of(args[1]);
    List<String> tenants = List.of(args[2].split(","));
    double byteRate = Double.parseDouble(args[3]);
    double requestPercentage = Double.parseDouble(args[4]);

    List<String> users = new ArrayList<>(List.of("flk-admin", "flk-verifier", "flk-sink", "flk-gateway", "flk-registry"));
    for (String t : tenants) users.add("tenant-" + t);

    for (String t : tenants) topic("tenant-" + t, "pcs.submitted", AclOperation.WRITE);
    topic("flk-verifier", "pcs.submitted", AclOperation.READ, AclOperation.DESCRIBE);
    for (String t : List.of("pcs.verdicts", "pcs.dlq", "pcs.replies")) topic("flk-verifier", t, AclOperation.WRITE, AclOperation.DESCRIBE);
    group("flk-verifier", "flk-verifier");
    allow("flk-verifier", ResourceType.TRANSACTIONAL_ID, "flk-verifier", PatternType.PREFIXED, AclOperation.WRITE, AclOperation.DESCRIBE);
    allow("flk-verifier", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.IDEMPOTENT_WRITE);
    topic("flk-sink", "pcs.verdicts", AclOperation.READ, AclOperation.DESCRIBE);
    group("flk-sink", "flk-sink");
    topic("flk-gateway", "pcs.submitted", AclOperation.WRITE, AclOperation.DESCRIBE);
    topic("flk-gateway", "pcs.replies", AclOperation.READ, AclOperation.DESCRIBE);
    group("flk-gateway", "flk-gateway");
    topic("flk-registry", "_schemas", AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
    group("flk-registry", "flk-schema-registry");

    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "flk-stack-principals");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
    try (Admin admin = Admin.create(p)) {
      List<UserScramCredentialAlteration> scram = new ArrayList<>();
      for (String u : users) {
        String password = Files.readString(dir.resolve(u + ".password")).trim();
        scram.add(new UserScramCredentialUpsertion(u, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password));
      }
      admin.alterUserScramCredentials(scram).all().get(60, TimeUnit.SECONDS);
      admin.createAcls(acls).all().get(60, TimeUnit.SECONDS);
      List<ClientQuotaAlteration> quotas = new ArrayList<>();
      for (String t : tenants) {
        quotas.add(new ClientQuotaAlteration(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "tenant-" + t)), List.of(
            new ClientQuotaAlteration.Op("producer_byte_rate", byteRate),
            new ClientQuotaAlteration.Op("request_percentage", requestPercentage))));
      }
      admin.alterClientQuotas(quotas).all().get(60, TimeUnit.SECONDS);
    }
    System.out.printf("%d principals (SCRAM-SHA-512), %d ACL bindings, quotas on %d tenants (producer_byte_rate=%.0f, request_percentage=%.0f)%n",
        users.size(), acls.size(), tenants.size(), byteRate, requestPercentage);
  }
}
