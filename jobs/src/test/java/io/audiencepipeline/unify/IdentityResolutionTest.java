package io.audiencepipeline.unify;

import static io.audiencepipeline.unify.UnifyFixtures.rec;
import static io.audiencepipeline.unify.UnifyFixtures.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.config.UnifySettings;
import io.audiencepipeline.io.Checkpoints;
import io.audiencepipeline.testing.SharedSpark;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Customer ids over three consecutive nights: a new record joins a known customer, two known customers
 * merge (the older id survives), and a customer splits when its linking identifier becomes over-shared.
 */
class IdentityResolutionTest {
  private static final UnifySettings SETTINGS = UnifyFixtures.settings(List.of());
  private static final LocalDate NIGHT_1 = LocalDate.of(2026, 11, 20);
  private static final LocalDate NIGHT_2 = LocalDate.of(2026, 11, 21);
  private static final LocalDate NIGHT_3 = LocalDate.of(2026, 11, 22);

  private static final List<UnifyFixtures.Rec> FIRST = List.of(
      rec("r1").with("email", "ann@x.com").with("account_id", "A1"),
      rec("r3").with("phone", "+15550001").with("loyalty_id", "L1").with("first_name", "Zoe"),
      rec("r4").with("loyalty_id", "L1").with("email", "zoe@x.com").with("first_name", "Zoe"));
  private static final List<UnifyFixtures.Rec> SECOND = List.of(
      rec("r2").with("email", "bob@x.com"),
      rec("r5").with("email", "ann@x.com"));
  private static final List<UnifyFixtures.Rec> THIRD = List.of(
      rec("r6").with("account_id", "A1").with("email", "bob@x.com"),    // Ann's account used Bob's address
      rec("r7").with("loyalty_id", "L1").with("first_name", "Max"));     // L1 turns out to be shared

  private record Night(Map<String, String> customers, IdentityResolution.Result result) {
  }

  private static Night night(LocalDate date, Dataset<Row> previousMap, List<UnifyFixtures.Rec> recs) {
    IdentityResolution.Result result = IdentityResolution.resolve(records(recs.toArray(UnifyFixtures.Rec[]::new)),
        previousMap, IdentityResolution.empty(SharedSpark.session(), IdentityResolution.SUPPRESSION),
        IdentityResolution.empty(SharedSpark.session(), IdentityResolution.ERASED), SETTINGS, date);
    Map<String, String> customers = new TreeMap<>();
    result.recordCustomers().collectAsList().forEach(r -> customers.put(r.getString(1), r.getString(2)));
    return new Night(customers, result);
  }

  private static List<UnifyFixtures.Rec> upTo(List<List<UnifyFixtures.Rec>> nights) {
    List<UnifyFixtures.Rec> all = new ArrayList<>();
    nights.forEach(all::addAll);
    return all;
  }

  @Test
  void idsStayStableMergesKeepTheOldestAndSplitsAreRecorded() {
    Night first = night(NIGHT_1, IdentityResolution.empty(SharedSpark.session(), IdentityResolution.NODE_MAP), FIRST);
    assertEquals(3, first.customers().size());
    assertEquals(first.customers().get("r3"), first.customers().get("r4"), "loyalty card L1 links r3 and r4");
    String ann = first.customers().get("r1");
    String zoe = first.customers().get("r3");
    assertNotEquals(ann, zoe);
    assertTrue(ann.matches("C[0-9a-f]{20}"), ann);

    Dataset<Row> map1 = first.result().nodeMap().transform(Checkpoints::local);
    Night second = night(NIGHT_2, map1, upTo(List.of(FIRST, SECOND)));
    assertEquals(ann, second.customers().get("r1"), "known customer keeps its id");
    assertEquals(ann, second.customers().get("r5"), "a new record joining a known customer gets its id");
    assertEquals(zoe, second.customers().get("r3"));
    String bob = second.customers().get("r2");
    assertTrue(second.result().changes().isEmpty());

    Dataset<Row> map2 = second.result().nodeMap().transform(Checkpoints::local);
    Night third = night(NIGHT_3, map2, upTo(List.of(FIRST, SECOND, THIRD)));
    assertEquals(ann, third.customers().get("r2"), "Bob (since night 2) merged into Ann (since night 1)");
    assertEquals(ann, third.customers().get("r6"));
    assertNotEquals(third.customers().get("r3"), third.customers().get("r4"), "over-shared L1 no longer links");
    assertTrue(List.of(third.customers().get("r3"), third.customers().get("r4")).contains(zoe),
        "the split keeps the old id on one side");
    assertEquals(null, third.customers().get("r7"), "a record with only an over-shared identifier is unattributed");

    List<String> changes = third.result().changes().orderBy("change").collectAsList().stream()
        .map(r -> r.getString(1) + ":" + r.getString(2) + "->" + r.getString(3)).toList();
    String splitOff = third.customers().get("r3").equals(zoe) ? third.customers().get("r4") : third.customers().get("r3");
    assertEquals(List.of("merged:" + bob + "->" + ann, "split:" + zoe + "->" + splitOff), changes);
    assertEquals(NIGHT_1.toString(), third.result().nodeMap().where("customer_id = '" + ann + "'")
        .selectExpr("min(customer_since)").first().get(0).toString());
  }

  @Test
  void fuzzyMatchingLinksSimilarNamesInOnePostcodeOnlyWhenEnabled() {
    List<UnifyFixtures.Rec> recs = List.of(
        rec("f1").with("email", "jon@x.com").with("first_name", "Jon").with("last_name", "Smith")
            .with("postcode", "SW1A 1AA"),
        rec("f2").with("email", "john.smith@y.com").with("first_name", "John").with("last_name", "Smith")
            .with("postcode", "sw1a1aa"),
        rec("f3").with("email", "jane@z.com").with("first_name", "Jane").with("last_name", "Smith")
            .with("postcode", "SW1A 1AA"),
        rec("f4").with("email", "jon@w.com").with("first_name", "Jon").with("last_name", "Smith")
            .with("postcode", "E1 6AN"));
    for (boolean enabled : new boolean[] {false, true}) {
      Map<String, String> customers = new TreeMap<>();
      IdentityResolution.resolve(records(recs.toArray(UnifyFixtures.Rec[]::new)),
          IdentityResolution.empty(SharedSpark.session(), IdentityResolution.NODE_MAP),
          IdentityResolution.empty(SharedSpark.session(), IdentityResolution.SUPPRESSION),
          IdentityResolution.empty(SharedSpark.session(), IdentityResolution.ERASED),
          UnifyFixtures.settings(List.of(), enabled), NIGHT_1)
          .recordCustomers().collectAsList().forEach(r -> customers.put(r.getString(1), r.getString(2)));
      assertEquals(enabled, customers.get("f1").equals(customers.get("f2")), "Jon/John Smith, same postcode");
      assertNotEquals(customers.get("f1"), customers.get("f3"), "Jane is not Jon");
      assertNotEquals(customers.get("f1"), customers.get("f4"), "another postcode");
    }
  }

  @Test
  void sameInputsAndDateGiveTheSameIds() {
    Night once = night(NIGHT_1, IdentityResolution.empty(SharedSpark.session(), IdentityResolution.NODE_MAP), FIRST);
    Night again = night(NIGHT_1, IdentityResolution.empty(SharedSpark.session(), IdentityResolution.NODE_MAP), FIRST);
    assertEquals(once.customers(), again.customers());
  }
}
