package io.audiencepipeline.identity;

import java.util.Arrays;
import java.util.Optional;

/**
 * The strong identifiers that can link records of different sources, each with its canonical bronze
 * column. Every bronze table carries all of these columns (null where a source has none).
 */
public enum IdentifierKind {
  EMAIL("email"),
  PHONE("phone"),
  ACCOUNT_ID("account_id"),
  COOKIE_ID("cookie_id"),
  DEVICE_ID("device_id"),
  LOYALTY_ID("loyalty_id"),
  CRM_CONTACT_ID("crm_contact_id"),
  HASHED_EMAIL("hashed_email");

  private final String column;

  IdentifierKind(String column) {
    this.column = column;
  }

  public String column() {
    return column;
  }

  public static Optional<IdentifierKind> fromColumn(String column) {
    return Arrays.stream(values()).filter(kind -> kind.column.equals(column)).findFirst();
  }
}
