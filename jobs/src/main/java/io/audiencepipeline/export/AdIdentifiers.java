package io.audiencepipeline.export;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataTypes;

/**
 * Customer identifiers normalised and SHA-256 hashed (lower-case hex) the way each ad platform's
 * customer-list upload requires, as Spark columns built from built-in functions only. Null, blank or
 * malformed input gives null, so the hash of the empty string is never exported.
 *
 * <p>Google Ads Customer Match (https://support.google.com/google-ads/answer/7659867; Google Ads API
 * https://developers.google.com/google-ads/api/docs/remarketing/audience-segments/customer-match/get-started
 * and "Normalize and hash user-provided data" in
 * https://developers.google.com/google-ads/api/docs/conversions/enhance-conversions):
 * <ul>
 *   <li>email: trim, lower-case, remove every period in the local part of gmail.com and googlemail.com
 *       addresses (the domain is kept as written), hash;</li>
 *   <li>phone: E.164 with the leading {@code +} ({@code +14155552671}), hash;</li>
 *   <li>first and last name: trim, lower-case, hash;</li>
 *   <li>country code (ISO 3166-1 alpha-2, upper-case) and postal code (trimmed) are sent unhashed.</li>
 * </ul>
 *
 * <p>Meta Custom Audiences
 * (https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences#hash):
 * <ul>
 *   <li>email: trim, lower-case, hash (no Gmail rule);</li>
 *   <li>phone: digits only with the country code, no {@code +}, no leading zeros ({@code 14155552671}),
 *       hash;</li>
 *   <li>fn / ln: lower-case, punctuation and spaces removed, letters kept including accented ones
 *       (hashed as UTF-8), hash;</li>
 *   <li>zip: lower-case, no white space; US: the first 5 digits; UK: area/district/sector
 *       ({@code SW1A 1AA} becomes {@code sw1a1}), hash;</li>
 *   <li>country: lower-case ISO 3166-1 alpha-2, hash.</li>
 * </ul>
 */
public final class AdIdentifiers {
  /** The destination whose customer-list rules apply. */
  public enum Platform { GOOGLE, META }

  // Spark's trim() strips only ASCII spaces; exports also meet tabs and no-break spaces.
  private static final String EDGE_SPACE = "^[\\s\\p{Z}]+|[\\s\\p{Z}]+$";
  private static final String EMAIL_SHAPE = "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$";
  private static final String PHONE_PUNCTUATION = "[\\s\\p{Z}().-]";
  // E.164: country codes never start with 0 and a number has at most 15 digits. A single leading 0 is a
  // national trunk prefix: without the row's region the country code is unknown, so it is not guessed.
  private static final String E164_DIGITS = "^[1-9][0-9]{6,14}$";
  // A full UK postcode (outward code, sector digit, two unit letters); Meta wants it without the unit.
  private static final String UK_UNIT = "^([a-z]{1,2}[0-9][a-z0-9]?[0-9])[a-z]{2}$";

  private AdIdentifiers() {
  }

  /** The email address as the platform hashes it; null unless it looks like an address. */
  public static Column normalisedEmail(Column raw, Platform platform) {
    Column email = lower(stripped(raw));
    Column candidate = email;
    if (platform == Platform.GOOGLE) {
      Column domain = substring_index(email, "@", -1);
      Column dotless = concat(regexp_replace(substring_index(email, "@", 1), "\\.", ""), lit("@"), domain);
      candidate = when(domain.isin("gmail.com", "googlemail.com"), dotless).otherwise(email);
    }

    return when(candidate.rlike(EMAIL_SHAPE), candidate);
  }

  public static Column email(Column raw, Platform platform) {
    return hashed(normalisedEmail(raw, platform));
  }

  /**
   * The phone number as the platform hashes it: {@code +} and digits for Google, digits for Meta. The
   * input must carry its country code: {@code +}, an international {@code 00} prefix, or bare digits
   * (our warehouse stores E.164); spaces, dots, dashes and parentheses are ignored, anything else is null.
   */
  public static Column normalisedPhone(Column raw, Platform platform) {
    Column compact = regexp_replace(raw.cast(DataTypes.StringType), PHONE_PUNCTUATION, "");
    Column digits = when(compact.rlike("^\\+?[0-9]+$"), regexp_replace(compact, "^(\\+|00)", ""));
    Column e164 = when(digits.rlike(E164_DIGITS), digits);
    return platform == Platform.GOOGLE ? concat(lit("+"), e164) : e164;
  }

  public static Column phone(Column raw, Platform platform) {
    return hashed(normalisedPhone(raw, platform));
  }

  /** A first or last name as the platform hashes it (both platforms treat the two alike). */
  public static Column normalisedName(Column raw, Platform platform) {
    Column name = lower(stripped(raw));
    // \p{M} keeps combining accents of decomposed input; Meta asks for accented letters to stay.
    return nonEmpty(platform == Platform.META ? regexp_replace(name, "[^\\p{L}\\p{M}]", "") : name);
  }

  /** Hashed first or last name. */
  public static Column name(Column raw, Platform platform) {
    return hashed(normalisedName(raw, platform));
  }

  /** ISO 3166-1 alpha-2 code: upper-case and unhashed for Google, lower-case and hashed for Meta. */
  public static Column country(Column raw, Platform platform) {
    Column code = isoCountry(raw);
    return platform == Platform.GOOGLE ? upper(code) : hashed(code);
  }

  /**
   * Postal code: trimmed and unhashed for Google; for Meta normalised by the row's country (ISO alpha-2,
   * any case) and hashed.
   */
  public static Column postcode(Column raw, Column country, Platform platform) {
    if (platform == Platform.GOOGLE) {
      return nonEmpty(stripped(raw));
    }

    Column compact = lower(regexp_replace(raw.cast(DataTypes.StringType), "[\\s\\p{Z}]", ""));
    Column code = isoCountry(country);
    Column local = when(code.equalTo("us"), regexp_extract(compact, "^([0-9]{5})", 1))
        .when(code.equalTo("gb"), regexp_replace(compact, UK_UNIT, "$1"))
        .otherwise(compact);
    return hashed(nonEmpty(local));
  }

  private static Column isoCountry(Column raw) {
    Column code = lower(stripped(raw));
    return when(code.rlike("^[a-z]{2}$"), code);
  }

  private static Column stripped(Column raw) {
    return regexp_replace(raw.cast(DataTypes.StringType), EDGE_SPACE, "");
  }

  private static Column nonEmpty(Column text) {
    return when(text.notEqual(lit("")), text);
  }

  // sha2 of null is null, so every rule above that rejects its input also keeps it out of the hash.
  private static Column hashed(Column normalised) {
    return sha2(normalised, 256);
  }
}
