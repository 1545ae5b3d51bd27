package io.audiencepipeline.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.apache.spark.sql.functions.array_sort;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.audiencepipeline.testing.SharedSpark;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class IdentityGraphTest {
  private static final StructType RECORDS = StructType.fromDDL(
      "source string, record_key string, first_name string, email string, phone string,"
          + " account_id string, cookie_id string, device_id string, loyalty_id string,"
          + " crm_contact_id string, hashed_email string");
  private static final LinkGuards GUARDS = new LinkGuards(List.of("info", "sales"),
      Map.of("email", 1, "phone", 1),
      Map.of("cookie_id", Map.of("account_id", 1), "device_id", Map.of("account_id", 1)));

  private static Row record(String key, String firstName, String email, String phone, String account,
      String cookie) {
    return RowFactory.create("test", key, firstName, email, phone, account, cookie, null, null, null, null);
  }

  @Test
  void sharedPhonesRoleAddressesAndSharedCookiesDoNotGlueDifferentPeople() {
    Dataset<Row> records = SharedSpark.session().createDataFrame(List.of(
        record("r1", "Ann", "ann@x.com", "+15550001", null, null),
        record("r2", "Anne", "ann@x.com", null, "A1", null),       // a typo still sounds the same
        record("r3", "Ann", null, "+15559999", null, null),          // a household landline ...
        record("r4", "Bob", null, "+15559999", "B1", null),          // ... shared with Bob
        record("r5", "Carl", "info@shop.com", "+15550002", null, null),
        record("r6", "Dana", "info@shop.com", "+15550003", null, null),
        record("r7", null, null, null, "A1", "K1"),                   // a shared computer
        record("r8", null, null, null, "B1", "K1")), RECORDS);

    Dataset<Row> identifiers = IdentityGraph.recordIdentifiers(records);
    Dataset<Row> overShared = IdentityGraph.overShared(records, GUARDS);
    assertEquals(List.of("[cookie_id:K1,shared_by_account_id]", "[phone:+15559999,shared_by_names]"),
        overShared.where("guard <> 'role_address'").orderBy("node_key").collectAsList().stream()
            .map(Row::toString).toList());
    assertEquals(1, overShared.where("guard = 'role_address'").count());

    Dataset<Row> components = ConnectedComponents.of(IdentityGraph.edges(
        IdentityGraph.anchored(records, overShared)));
    Dataset<Row> nodeKeys = identifiers.select("node", "node_key").distinct();
    List<String> groups = components.join(nodeKeys, "node")
        .groupBy("component").agg(array_sort(collect_set(col("node_key"))).as("keys"))
        .select(col("keys").cast("string")).orderBy("keys").collectAsList().stream()
        .map(r -> r.getString(0).replaceAll("email:[0-9a-f]{64}", "email:<ann>")).toList();
    assertEquals(List.of("[account_id:A1, email:<ann>, phone:+15550001]"), groups);
  }

  private static Row full(String key, String firstName, String email, String phone, String account, String device,
      String loyalty, String hashedEmail) {
    return RowFactory.create("test", key, firstName, email, phone, account, null, device, loyalty, null, hashedEmail);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void guardsCountNamesAndOtherIdentifiersOnTheSameRecordsAndKeepTheFirstGuardByName() {
    LinkGuards guards = new LinkGuards(List.of("info"), Map.of("email", 1, "phone", 2),
        Map.of("phone", Map.of("loyalty_id", 1, "email", 1), "device_id", Map.of("account_id", 1)));
    Dataset<Row> records = SharedSpark.session().createDataFrame(List.of(
        full("p1a", "Ann", null, "+1001", null, null, "L1", null),    // +1001: 3 names and 2 loyalty cards
        full("p1b", "Bob", null, "+1001", null, null, "L2", null),
        full("p1c", "Cid", null, "+1001", null, null, null, null),
        full("p2a", "Dan", "dan@x.com", "+1002", null, null, null, null),  // +1002: 2 emails
        full("p2b", "Dan", "dan2@x.com", "+1002", null, null, null, null),
        full("p3a", "Eve", null, "+1003", null, null, "L3", null),    // +1003: one card twice, two names
        full("p3b", "Evi", null, "+1003", null, null, "L3", null),
        full("e1a", "Fay", "fay@x.com", null, null, null, null, null), // fay@x.com: two names
        full("e1b", "Gus", "fay@x.com", null, null, null, null, null),
        full("e2a", "Ivy", "ivy@x.com", null, null, null, null, null), // a hashed email's names do not count
        full("e2b", "Jon", null, null, null, null, null, sha256("ivy@x.com")),
        full("d1a", null, null, null, "A1", "D1", null, null),         // D1: two accounts
        full("d1b", null, null, null, "A2", "D1", null, null),
        full("d2a", null, null, null, "A3", "D2", null, null),
        full("r1", "Kim", "info@shop.com", null, null, null, null, null)), RECORDS);

    List<String> guarded = IdentityGraph.overShared(records, guards).collectAsList().stream()
        .map(Row::toString).sorted().toList();

    assertEquals(Stream.of("[device_id:D1,shared_by_account_id]",
        "[email:" + sha256("fay@x.com") + ",shared_by_names]",
        "[email:" + sha256("info@shop.com") + ",role_address]",
        "[phone:+1001,shared_by_loyalty_id]",
        "[phone:+1002,shared_by_email]").sorted().toList(), guarded);
  }

  @Test
  void aKindListedWithoutLimitsIsNotGuarded() {
    LinkGuards guards = new LinkGuards(List.of("info"), Map.of(), Map.of("device_id", Map.of()));
    Dataset<Row> records = SharedSpark.session().createDataFrame(List.of(
        full("d1a", null, null, null, "A1", "D1", null, null),
        full("d1b", null, null, null, "A2", "D1", null, null)), RECORDS);

    assertEquals(0, IdentityGraph.overShared(records, guards).count());
  }

  @Test
  void eachRecordIsAnchoredOnceOnItsSmallestLinkableNode() {
    Dataset<Row> records = SharedSpark.session().createDataFrame(List.of(
        // An email and its hash are one node, twice on this record.
        full("a", "Ann", "ann@x.com", "+1001", null, null, null, sha256("ann@x.com")),
        full("b", "Bob", null, "+1002", "A1", null, null, null),
        full("c", "Cid", null, "+1002", null, null, null, null)), RECORDS);
    Dataset<Row> overShared = SharedSpark.session().createDataFrame(
        List.of(RowFactory.create("phone:+1002", "shared_by_names")), StructType.fromDDL("node_key string, guard string"));

    Dataset<Row> anchored = IdentityGraph.anchored(records, overShared);

    Dataset<Row> expected = IdentityGraph.recordIdentifiers(records).where("node_key <> 'phone:+1002'")
        .selectExpr("source", "record_key", "kind", "node_key", "node",
            "min(node) over (partition by source, record_key) as anchor");
    assertEquals(0, anchored.drop("anchor_row").exceptAll(expected).count());
    assertEquals(0, expected.exceptAll(anchored.drop("anchor_row")).count());
    assertEquals(4, anchored.count()); // a: email, hashed email, phone; b: account; c: none linkable
    assertEquals(List.of("[a,1]", "[b,1]"), anchored.where("anchor_row").groupBy("record_key").count()
        .orderBy("record_key").collectAsList().stream().map(Row::toString).toList());
    assertEquals(0, anchored.where("anchor_row and node <> anchor").count());
    // One link, between Ann's email and her phone; Bob's record has one linkable identifier and no edge.
    assertEquals(1, IdentityGraph.edges(anchored).selectExpr("least(src, dst)", "greatest(src, dst)").distinct()
        .count());
    assertEquals(0, IdentityGraph.edges(anchored).where("src = dst").count());
  }
}
