package io.audiencepipeline.export;

import static io.audiencepipeline.export.AdIdentifiers.Platform.GOOGLE;
import static io.audiencepipeline.export.AdIdentifiers.Platform.META;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.audiencepipeline.testing.SharedSpark;
import java.util.Arrays;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Expected hashes are independent test vectors, produced in the shell with coreutils:
 * {@code printf '%s' 'value' | sha256sum} (UTF-8 locale for non-ASCII values).
 */
class AdIdentifiersTest {
  private static final String JOHNSMITH_GMAIL = "3586de92bb3636d0885a12eff961429a32e4ebd764b96f50d85d016f9338d586";
  private static final String JOHN_DOT_SMITH_GMAIL =
      "d0c648bc36f12061bec770df216cea2ab95851b9350fd54b658de53b0407767a";
  private static final String AB_GOOGLEMAIL = "4d2dfed62b03521c8ff6baa6f5161750ed443a26aaad934c8a9540321eb2d94a";
  private static final String JANE_DOE_EXAMPLE = "22c24abe678ca650e3292465ecc383e8b56e5c3a24af3a2d2aa32342d7205187";
  private static final String PLUS_447700900123 = "a8acc3a90a7b4e4dc65e93db9240ed26523050ef754d63b75b5161de76781436";
  private static final String DIGITS_447700900123 = "033134b911b137918338415ee3d20a064b24773d36a3b02e8b99fdd3fcd6b4cd";
  private static final String PLUS_14155552671 = "cb6880e416769253645cb9c6b8989154bf66a56a77fc14c81fb1019663cbb928";
  private static final String DIGITS_14155552671 = "758fbf68945f21c416814c539ab578876c8d98fb69e6da692def92cd52417fe0";
  private static final String O_BRIEN_SMITH_AS_TYPED =
      "5349291f7c643970cc1b897c8ffb45a8b630e59c1fecc3d1e4dc8e292a7971a9"; // o'brien-smith
  private static final String OBRIENSMITH = "16765783f9c8c8a3accf27f1abb877688cb5904c21a4a7afb5f125bcfcb246ba";
  private static final String ZOE_WITH_DIAERESIS = "2752b88686847fa5c86f47b94ce652b7b3f22a91c37617d451a4db9afa431450";
  private static final String ZIP_94103 = "91dc2519ea98c5002cf2091e6a12b772eafdce9dca618e626d7d3b8275361789";
  private static final String SECTOR_SW1A1 = "949af780a19e6f6d4b99d7044743348dbbb7ab2245fe146863573b23d02c5890";
  private static final String COUNTRY_GB = "0b407281768f0e833afef47ed464b6571d01ca4d53c12ce5c51d1462f4ad6677";

  private static final StructType RAW_AND_COUNTRY = new StructType()
      .add("raw", DataTypes.StringType).add("country", DataTypes.StringType);

  /** Applies one identifier column to each raw value, in order. */
  private static List<String> apply(UnaryOperator<Column> identifier, String... raws) {
    String[][] rows = Arrays.stream(raws).map(raw -> new String[] {raw, null}).toArray(String[][]::new);
    return applyWithCountry((raw, country) -> identifier.apply(raw), rows);
  }

  /** Applies one identifier column to each (raw, country) pair, in order. */
  private static List<String> applyWithCountry(BinaryOperator<Column> identifier, String[]... rawAndCountry) {
    List<Row> rows = Arrays.stream(rawAndCountry).map(pair -> RowFactory.create(pair[0], pair[1])).toList();
    return SharedSpark.session().createDataFrame(rows, RAW_AND_COUNTRY)
        .coalesce(1)
        .select(identifier.apply(col("raw"), col("country")).as("value"))
        .collectAsList().stream().map(row -> row.getString(0)).toList();
  }

  @Test
  void googleRemovesDotsInGmailLocalPartsBeforeHashing() {
    assertEquals(List.of("johnsmith@gmail.com", "ab@googlemail.com"),
        apply(raw -> AdIdentifiers.normalisedEmail(raw, GOOGLE), " John.Smith@GMAIL.com ", "A.B@googlemail.com"));
    assertEquals(List.of(JOHNSMITH_GMAIL, AB_GOOGLEMAIL),
        apply(raw -> AdIdentifiers.email(raw, GOOGLE), " John.Smith@GMAIL.com ", "A.B@googlemail.com"));
  }

  @Test
  void metaKeepsDotsInGmailAddresses() {
    assertEquals(List.of("john.smith@gmail.com"),
        apply(raw -> AdIdentifiers.normalisedEmail(raw, META), " John.Smith@GMAIL.com "));
    assertEquals(List.of(JOHN_DOT_SMITH_GMAIL), apply(raw -> AdIdentifiers.email(raw, META), " John.Smith@GMAIL.com "));
  }

  @Test
  void otherEmailsAreTrimmedAndLowerCasedWithDotsKeptOnBothPlatforms() {
    String raw = "  Jane.Doe@Example.CO.UK\t";
    assertEquals(List.of(JANE_DOE_EXAMPLE), apply(c -> AdIdentifiers.email(c, GOOGLE), raw));
    assertEquals(List.of(JANE_DOE_EXAMPLE), apply(c -> AdIdentifiers.email(c, META), raw));
  }

  @Test
  void googleHashesPhonesInE164WithThePlus() {
    List<String> inputs = List.of("+447700900123", "+44 7700 900123", "00447700900123", "1 (415) 555-2671");
    assertEquals(List.of("+447700900123", "+447700900123", "+447700900123", "+14155552671"),
        apply(raw -> AdIdentifiers.normalisedPhone(raw, GOOGLE), inputs.toArray(String[]::new)));
    assertEquals(List.of(PLUS_447700900123, PLUS_447700900123, PLUS_447700900123, PLUS_14155552671),
        apply(raw -> AdIdentifiers.phone(raw, GOOGLE), inputs.toArray(String[]::new)));
  }

  @Test
  void metaHashesPhonesAsDigitsWithCountryCodeAndNoPlus() {
    List<String> inputs = List.of("+447700900123", "+1-415-555-2671", "14155552671");
    assertEquals(List.of("447700900123", "14155552671", "14155552671"),
        apply(raw -> AdIdentifiers.normalisedPhone(raw, META), inputs.toArray(String[]::new)));
    assertEquals(List.of(DIGITS_447700900123, DIGITS_14155552671, DIGITS_14155552671),
        apply(raw -> AdIdentifiers.phone(raw, META), inputs.toArray(String[]::new)));
  }

  @Test
  void phonesWithoutACountryCodeOrWithLettersAreNotHashed() {
    assertEquals(Arrays.asList(null, null, null),
        apply(raw -> AdIdentifiers.phone(raw, META), "07700 900123", "call me", "+44 7700 900123 ext 2"));
  }

  @Test
  void googleHashesNamesTrimmedAndLowerCasedWithPunctuationKept() {
    assertEquals(List.of(O_BRIEN_SMITH_AS_TYPED), apply(raw -> AdIdentifiers.name(raw, GOOGLE), " O'Brien-Smith "));
  }

  @Test
  void metaHashesNamesAsLowerCaseLettersOnlyKeepingAccents() {
    assertEquals(List.of("obriensmith", "zoë"),
        apply(raw -> AdIdentifiers.normalisedName(raw, META), " O'Brien-Smith ", "Zoë"));
    assertEquals(List.of(OBRIENSMITH, ZOE_WITH_DIAERESIS),
        apply(raw -> AdIdentifiers.name(raw, META), " O'Brien-Smith ", "Zoë"));
  }

  @Test
  void metaHashesTheFirstFiveDigitsOfAUsZipAndTheSectorOfAUkPostcode() {
    assertEquals(List.of(ZIP_94103, SECTOR_SW1A1),
        applyWithCountry((raw, country) -> AdIdentifiers.postcode(raw, country, META),
            new String[] {"94103-1234", "US"}, new String[] {"SW1A 1AA", " gb"}));
  }

  @Test
  void googleSendsPostcodeAndUpperCaseCountryUnhashed() {
    assertEquals(List.of("94103-1234", "SW1A 1AA"),
        applyWithCountry((raw, country) -> AdIdentifiers.postcode(raw, country, GOOGLE),
            new String[] {" 94103-1234 ", "US"}, new String[] {"SW1A 1AA", "GB"}));
    assertEquals(List.of("GB"), apply(raw -> AdIdentifiers.country(raw, GOOGLE), " gb "));
  }

  @Test
  void metaHashesTheLowerCaseCountryCode() {
    assertEquals(List.of(COUNTRY_GB), apply(raw -> AdIdentifiers.country(raw, META), " GB "));
  }

  @Test
  void nullAndBlankInputsAreNeverHashed() {
    List<String> nothing = Arrays.asList(null, null, null);
    for (AdIdentifiers.Platform platform : AdIdentifiers.Platform.values()) {
      assertEquals(nothing, apply(raw -> AdIdentifiers.email(raw, platform), null, "", "   "));
      assertEquals(nothing, apply(raw -> AdIdentifiers.phone(raw, platform), null, "", "   "));
      assertEquals(nothing, apply(raw -> AdIdentifiers.name(raw, platform), null, "", " \t "));
      assertEquals(nothing, apply(raw -> AdIdentifiers.country(raw, platform), null, "", "  "));
      assertEquals(nothing, applyWithCountry((raw, country) -> AdIdentifiers.postcode(raw, country, platform),
          new String[] {null, "US"}, new String[] {"", "GB"}, new String[] {"  ", null}));
    }

    assertEquals(Arrays.asList(null, null), apply(raw -> AdIdentifiers.name(raw, META), "--", " - . "));
    assertEquals(Arrays.asList(null, null),
        apply(raw -> AdIdentifiers.email(raw, GOOGLE), "not-an-email", ".@gmail.com"));
  }
}
