package io.audiencepipeline.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.array_sort;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.audiencepipeline.testing.SharedSpark;
import java.util.List;
import java.util.Map;
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
    Dataset<Row> overShared = IdentityGraph.overShared(identifiers, GUARDS);
    assertEquals(List.of("[cookie_id:K1,shared_by_account_id]", "[phone:+15559999,shared_by_names]"),
        overShared.where("guard <> 'role_address'").orderBy("node_key").collectAsList().stream()
            .map(Row::toString).toList());
    assertEquals(1, overShared.where("guard = 'role_address'").count());

    Dataset<Row> components = ConnectedComponents.of(IdentityGraph.edges(identifiers, overShared));
    Dataset<Row> nodeKeys = identifiers.select("node", "node_key").distinct();
    List<String> groups = components.join(nodeKeys, "node")
        .groupBy("component").agg(array_sort(collect_set(col("node_key"))).as("keys"))
        .select(col("keys").cast("string")).orderBy("keys").collectAsList().stream()
        .map(r -> r.getString(0).replaceAll("email:[0-9a-f]{64}", "email:<ann>")).toList();
    assertEquals(List.of("[account_id:A1, email:<ann>, phone:+15550001]"), groups);
  }
}
