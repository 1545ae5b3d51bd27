package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;

/**
 * E-mail addresses: how people's addresses are built, the ways systems garble them (the mess of DATA.md),
 * role addresses of small businesses, and the normalisation the enrichment vendor hashes.
 */
final class Emails {
  private static final String[] US_DOMAINS = {"gmail.com", "gmail.com", "gmail.com", "gmail.com", "yahoo.com",
      "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "icloud.com"};
  private static final String[] GB_DOMAINS = {"gmail.com", "gmail.com", "gmail.com", "hotmail.co.uk",
      "hotmail.co.uk", "yahoo.co.uk", "outlook.com", "btinternet.com", "icloud.com", "sky.com"};
  private static final String[] DE_DOMAINS = {"gmx.de", "gmx.de", "gmx.de", "web.de", "web.de", "web.de",
      "gmail.com", "gmail.com", "t-online.de", "outlook.de"};
  private static final String[] WORK_DOMAINS = {"northwind-logistics.com", "bluepeak-consulting.com",
      "harborview-health.org", "ironbridge-eng.com", "lumen-analytics.io", "oakridge-capital.com",
      "cascade-software.com", "meridian-law.co.uk", "thameside-council.gov.uk", "kestrel-media.co.uk",
      "rheinwerk-gmbh.de", "nordlicht-energie.de", "stadtwerke-example.de", "alpenblick-ag.de",
      "summit-university.edu"};
  private static final String[] ROLES = {"info", "sales", "office"};
  private static final String[] BUSINESS_FIRST = {"alpine", "birch", "cedar", "summit", "harbor", "maple",
      "river", "stone", "granite", "willow", "falcon", "aspen", "juniper", "redwood", "copper", "silver",
      "meadow", "prairie", "canyon", "glacier"};
  private static final String[] BUSINESS_SECOND = {"design", "dental", "builders", "bakery", "studio",
      "consulting", "garage", "florist", "legal", "fitness", "cafe", "print", "plumbing", "realty", "tours"};
  private static final String[] PLUS_TAGS = {"news", "shop", "deals", "outdoor", "promo"};

  private Emails() {
  }

  /**
   * A person's address: a local part in one of six common patterns from the ASCII names, ending in a number
   * that is unique per person (so two people never share an address by accident), at the given domain.
   */
  static Column address(Column firstAscii, Column lastAscii, Column uniqueNumber, Column patternUniform,
      Column domain) {
    Column initial = substring(firstAscii, 1, 1);
    Column local = when(patternUniform.lt(0.30), concat(firstAscii, lit("."), lastAscii))
        .when(patternUniform.lt(0.45), concat(firstAscii, lastAscii))
        .when(patternUniform.lt(0.60), concat(initial, lit("."), lastAscii))
        .when(patternUniform.lt(0.72), concat(firstAscii, lit("_"), lastAscii))
        .when(patternUniform.lt(0.84), concat(lastAscii, lit("."), firstAscii))
        .otherwise(firstAscii);
    return concat(local, uniqueNumber.cast("string"), lit("@"), domain);
  }

  /** A consumer mailbox domain typical for the market. */
  static Column personalDomain(Column country, Column uniform) {
    return when(country.equalTo("US"), Draws.pick(US_DOMAINS, uniform))
        .when(country.equalTo("GB"), Draws.pick(GB_DOMAINS, uniform))
        .otherwise(Draws.pick(DE_DOMAINS, uniform));
  }

  static Column workDomain(Column uniform) {
    return Draws.pick(WORK_DOMAINS, uniform);
  }

  /** {@code info@cedarbakery.com}: one mailbox that several people of a small business write from. */
  static Column roleAddress(Column business, Column roleUniform) {
    Column first = Draws.at(BUSINESS_FIRST, business.mod(BUSINESS_FIRST.length));
    Column second = Draws.at(BUSINESS_SECOND, floor(business.divide(BUSINESS_FIRST.length)).mod(BUSINESS_SECOND.length));
    long combinations = (long) BUSINESS_FIRST.length * BUSINESS_SECOND.length;
    Column series = floor(business.divide(combinations));
    Column suffix = when(series.gt(0), series.cast("string")).otherwise(lit(""));
    return concat(Draws.pick(ROLES, roleUniform), lit("@"), first, second, suffix, lit(".com"));
  }

  /**
   * Which mess, if any, a system adds to an address (a {@link MessKind} tag or null); {@code scale} scales
   * the rates (ESP lists are cleaner than web forms). At most one kind per address.
   */
  static Column messKind(Column address, Column uniform, double scale) {
    Column gmail = substring_index(address, "@", -1).equalTo("gmail.com");
    double invalid = 0.004 * scale;
    double mixedCase = invalid + 0.04 * scale;
    double whitespace = mixedCase + 0.03 * scale;
    double dots = whitespace + 0.10 * scale;
    double googlemail = dots + 0.04 * scale;
    double plusTag = googlemail + 0.02 * scale;
    return when(uniform.lt(invalid), lit(MessKind.EMAIL_INVALID.tag()))
        .when(uniform.lt(mixedCase), lit(MessKind.EMAIL_MIXED_CASE.tag()))
        .when(uniform.lt(whitespace), lit(MessKind.EMAIL_WHITESPACE.tag()))
        .when(uniform.lt(dots).and(gmail), lit(MessKind.EMAIL_GMAIL_DOTS.tag()))
        .when(uniform.geq(dots).and(uniform.lt(googlemail)).and(gmail), lit(MessKind.EMAIL_GOOGLEMAIL.tag()))
        .when(uniform.geq(googlemail).and(uniform.lt(plusTag)), lit(MessKind.EMAIL_PLUS_TAG.tag()));
  }

  /** The address with the given kind of mess applied; detail picks the variant (where, which tag). */
  static Column garble(Column address, Column kind, Column detail) {
    Column local = substring_index(address, "@", 1);
    Column domain = substring_index(address, "@", -1);
    Column capitalised = concat(upper(substring(local, 1, 1)), substring(local, 2, 1000), lit("@"),
        upper(substring(domain, 1, 1)), substring(domain, 2, 1000));
    Column dotPosition = floor(detail.multiply(length(local).minus(2))).cast("int").plus(1);
    Column dotted = when(local.contains("."), regexp_replace(local, "\\.", ""))
        .otherwise(concat(substring(local, lit(1), dotPosition), lit("."),
            substring(local, dotPosition.plus(1), lit(1000))));
    return when(kind.equalTo(MessKind.EMAIL_INVALID.tag()),
            when(detail.lt(0.5), regexp_replace(address, "@", " at ")).otherwise(regexp_replace(address, "@", "")))
        .when(kind.equalTo(MessKind.EMAIL_MIXED_CASE.tag()),
            when(detail.lt(0.3), upper(address)).otherwise(capitalised))
        .when(kind.equalTo(MessKind.EMAIL_WHITESPACE.tag()),
            when(detail.lt(0.5), concat(lit(" "), address)).otherwise(concat(address, lit("  "))))
        .when(kind.equalTo(MessKind.EMAIL_GMAIL_DOTS.tag()), concat(dotted, lit("@"), domain))
        .when(kind.equalTo(MessKind.EMAIL_GOOGLEMAIL.tag()), concat(local, lit("@googlemail.com")))
        .when(kind.equalTo(MessKind.EMAIL_PLUS_TAG.tag()),
            concat(local, lit("+"), Draws.pick(PLUS_TAGS, detail), lit("@"), domain))
        .otherwise(address);
  }

  /**
   * The enrichment vendor's normalisation before hashing: trim, lower case, drop a {@code +tag}, and for
   * Gmail drop the dots of the local part and use gmail.com for googlemail.com.
   */
  static Column normalised(Column address) {
    Column cleaned = lower(trim(address));
    Column local = regexp_replace(substring_index(cleaned, "@", 1), "\\+.*$", "");
    Column domain = substring_index(cleaned, "@", -1);
    Column gmail = domain.isin("gmail.com", "googlemail.com");
    return concat(when(gmail, regexp_replace(local, "\\.", "")).otherwise(local), lit("@"),
        when(gmail, lit("gmail.com")).otherwise(domain));
  }

  /** Lower-hex SHA-256 of the normalised address. */
  static Column hashed(Column address) {
    return sha2(normalised(address), 256);
  }
}
