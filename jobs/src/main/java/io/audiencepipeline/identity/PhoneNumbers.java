package io.audiencepipeline.identity;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import org.apache.spark.sql.api.java.UDF2;

/**
 * Normalises a phone number to E.164 with Google's libphonenumber: national formats need the
 * number's region, which is why this is the one identifier rule that is a UDF rather than built-ins.
 */
public final class PhoneNumbers implements UDF2<String, String, String> {
  private static final long serialVersionUID = 1L;

  /** Returns E.164 ({@code +14155550132}) or null when the text is not a possible phone number. */
  public static String toE164(String raw, String region) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    String regionCode = region == null ? null : region.trim().toUpperCase(java.util.Locale.ROOT);
    try {
      Phonenumber.PhoneNumber number = util.parse(raw, regionCode);
      return util.isPossibleNumber(number) ? util.format(number, PhoneNumberUtil.PhoneNumberFormat.E164) : null;
    } catch (NumberParseException e) {
      return null;
    }
  }

  @Override
  public String call(String raw, String region) {
    return toE164(raw, region);
  }
}
