package io.audiencepipeline.identity;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * The one definition of identifier normalisation for matching, as Spark column expressions. Every source
 * and every stage that links or suppresses by identifier normalises through here. Ad-platform uploads
 * follow the platforms' own rules instead ({@code export.AdIdentifiers}): they differ (no plus-tag removal,
 * no googlemail.com alias, Meta keeps Gmail dots).
 */
public final class Identifiers {
  private static final String EMAIL_SYNTAX =
      "^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9-]+(\\.[a-z0-9-]+)*\\.[a-z]{2,}$";
  private static final UserDefinedFunction PHONE = functions.udf(new PhoneNumbers(), DataTypes.StringType);

  private Identifiers() {
  }

  /**
   * Lower case, no whitespace anywhere, domain aliases resolved, plus-tags and Gmail dots removed per
   * the configured domains; null when the text is not an email address.
   */
  public static Column email(Column raw, NormalisationRules rules) {
    Column cleaned = lower(regexp_replace(raw, "\\s+", ""));
    Column rawDomain = substring_index(cleaned, "@", -1);
    Column domain = rawDomain;
    if (!rules.emailDomainAliases().isEmpty()) {
      List<Column> entries = new ArrayList<>();
      rules.emailDomainAliases().forEach((alias, canonical) -> {
        entries.add(lit(alias));
        entries.add(lit(canonical));
      });
      domain = coalesce(try_element_at(functions.map(entries.toArray(Column[]::new)), rawDomain), rawDomain);
    }
    Column local = substring_index(cleaned, "@", 1);
    if (!rules.plusTagDomains().isEmpty()) {
      Column tagged = rules.plusTagDomains().contains("*") ? lit(true) : domain.isin(rules.plusTagDomains().toArray());
      local = when(tagged, regexp_replace(local, "\\+.*$", ""))
          .otherwise(local);
    }
    if (!rules.dotlessDomains().isEmpty()) {
      local = when(domain.isin(rules.dotlessDomains().toArray()), regexp_replace(local, "\\.", ""))
          .otherwise(local);
    }
    Column valid = cleaned.rlike(EMAIL_SYNTAX).and(local.notEqual(lit("")));
    return when(valid, concat(local, lit("@"), domain));
  }

  /** E.164, using the row's region (ISO country) for national formats, else the default region. */
  public static Column phone(Column raw, Column region, NormalisationRules rules) {
    return PHONE.apply(raw, coalesce(region, lit(rules.defaultPhoneRegion())));
  }

  /** Opaque ids (account, cookie, device, loyalty card, CRM contact): trimmed, empty means none. */
  public static Column opaqueId(Column raw) {
    Column trimmed = trim(raw);
    return when(trimmed.notEqual(lit("")), trimmed);
  }

  /** Hex SHA-256 of a normalised email, lower case; null unless it is 64 hex digits. */
  public static Column hashedEmail(Column raw) {
    Column cleaned = lower(trim(raw));
    return when(cleaned.rlike("^[0-9a-f]{64}$"), cleaned);
  }

  /** The normalised form of any identifier kind. */
  public static Column normalise(IdentifierKind kind, Column raw, Column region, NormalisationRules rules) {
    Column text = raw.cast(DataTypes.StringType);
    return switch (kind) {
      case EMAIL -> email(text, rules);
      case PHONE -> phone(text, region, rules);
      case HASHED_EMAIL -> hashedEmail(text);
      default -> opaqueId(text);
    };
  }
}
