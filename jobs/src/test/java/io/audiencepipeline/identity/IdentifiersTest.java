package io.audiencepipeline.identity;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.audiencepipeline.testing.SharedSpark;
import io.audiencepipeline.testing.TestConfigs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class IdentifiersTest {
  private static final NormalisationRules RULES = TestConfigs.settings("""
      audience.sources.s { system = x, format = csv, path = x, max-bad-row-rate = 0,
        columns = ["id string"], record-key = [id] }
      """).identifiers();

  private static final StructType TWO_STRINGS = new StructType()
      .add("raw", DataTypes.StringType).add("region", DataTypes.StringType);

  /** Runs one normaliser over a table of inputs and returns the outputs in order. */
  private static List<String> normalise(IdentifierKind kind, String[][] inputs) {
    List<Row> rows = new ArrayList<>();
    for (String[] input : inputs) {
      rows.add(RowFactory.create(input[0], input.length > 1 ? input[1] : null));
    }
    Dataset<Row> table = SharedSpark.session().createDataFrame(rows, TWO_STRINGS)
        .coalesce(1)
        .select(Identifiers.normalise(kind, col("raw"), col("region"), RULES).as("value"));
    return table.collectAsList().stream().map(r -> r.getString(0)).toList();
  }

  @Test
  void emailsAreNormalisedForMatching() {
    String[][] cases = {
        {" Jane.Doe@Example.COM "}, {"jane.doe@example.com"},
        {"J.A.N.E.DOE@gmail.com"}, {"janedoe@gmail.com"},
        {"jane.doe+outdoor@googlemail.com"}, {"janedoe@gmail.com"},
        {"jane doe@yahoo.com"}, {"janedoe@yahoo.com"},
        {"jane+tag@yahoo.com"}, {"jane@yahoo.com"},
        {"Niamh+Promo@Alpenblick-AG.de"}, {"niamh@alpenblick-ag.de"},
        {"first.last@outlook.com"}, {"first.last@outlook.com"},
        {"not-an-email"}, {null},
        {"@gmail.com"}, {null},
        {"a@b"}, {null},
        {""}, {null},
        {null}, {null},
    };
    assertPairs(IdentifierKind.EMAIL, cases);
  }

  @Test
  void phonesBecomeE164UsingTheRowsCountry() {
    String[][] cases = {
        {"(415) 555-0132", "US"}, {"+14155550132"},
        {"415.555.0132", null}, {"+14155550132"},
        {"1-415-555-0132", "US"}, {"+14155550132"},
        {"+1 415 555 0132", "GB"}, {"+14155550132"},
        {"020 7946 0018", "GB"}, {"+442079460018"},
        {"0044 20 7946 0018", "gb"}, {"+442079460018"},
        {"030 1234567", "DE"}, {"+49301234567"},
        {"0049 (0)30 1234567", "DE"}, {"+49301234567"},
        {"12", "US"}, {null},
        {"call me", "US"}, {null},
        {"  ", "US"}, {null},
    };
    assertPairs(IdentifierKind.PHONE, cases);
  }

  @Test
  void opaqueIdsAreTrimmedAndBlankMeansNone() {
    assertPairs(IdentifierKind.LOYALTY_ID, new String[][] {
        {" LC-0042 "}, {"LC-0042"}, {"   "}, {null}, {"abc"}, {"abc"}});
  }

  @Test
  void hashedEmailsMustBeSha256Hex() {
    String hash = "A".repeat(64);
    assertPairs(IdentifierKind.HASHED_EMAIL, new String[][] {
        {hash}, {"a".repeat(64)}, {"xyz"}, {null}, {"g".repeat(64)}, {null}});
  }

  private static void assertPairs(IdentifierKind kind, String[][] pairs) {
    String[][] inputs = new String[pairs.length / 2][];
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      inputs[i / 2] = pairs[i];
      expected.add(pairs[i + 1][0]);
    }
    List<String> actual = normalise(kind, inputs);
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i), actual.get(i), "input " + Arrays.toString(inputs[i]));
    }
  }
}
