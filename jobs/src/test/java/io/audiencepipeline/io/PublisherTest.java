package io.audiencepipeline.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublisherTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 21);

  @TempDir
  Path dir;

  private WarehouseLayout layout() {
    return new WarehouseLayout(dir.toUri().toString());
  }

  private Path local(org.apache.hadoop.fs.Path path) {
    return Path.of(path.toUri());
  }

  @Test
  void replacingSwapsTheWholeFolderAndMarksItComplete() throws IOException {
    Publisher publisher = new Publisher(layout(), new Configuration(), "run-1");
    Path target = local(layout().bronze("orders", DAY));
    Files.createDirectories(target);
    Files.writeString(target.resolve("old.parquet"), "old");
    Path staged = local(publisher.staging("bronze/orders"));
    Files.createDirectories(staged);
    Files.writeString(staged.resolve("new.parquet"), "new");

    publisher.replace(new org.apache.hadoop.fs.Path(staged.toUri()), layout().bronze("orders", DAY));

    assertFalse(Files.exists(target.resolve("old.parquet")));
    assertEquals("new", Files.readString(target.resolve("new.parquet")));
    assertTrue(Files.exists(target.resolve("_SUCCESS")));
    assertFalse(Files.exists(staged));
  }

  @Test
  void aFolderMovedAsideByAKilledRunIsRestoredAndStagingIsCleaned() throws IOException {
    // The state a run killed between its two renames leaves: the published folder moved aside.
    Path aside = dir.resolve("_staging/run-killed/replaced/bronze/orders/dt=" + DAY);
    Files.createDirectories(aside);
    Files.writeString(aside.resolve("part-0.parquet"), "published");
    Files.writeString(aside.resolve("_SUCCESS"), "");
    Path halfStaged = dir.resolve("_staging/run-killed/ingest/bronze/orders/dt=" + DAY);
    Files.createDirectories(halfStaged);
    Files.writeString(halfStaged.resolve("part-0.parquet"), "partial");
    // A second, unrelated leftover whose target still exists must not overwrite it.
    Path staleAside = dir.resolve("_staging/run-older/replaced/bronze/carts/dt=" + DAY);
    Files.createDirectories(staleAside);
    Files.writeString(staleAside.resolve("_SUCCESS"), "");
    Path carts = local(layout().bronze("carts", DAY));
    Files.createDirectories(carts);
    Files.writeString(carts.resolve("part-0.parquet"), "current");

    Publisher.recoverAndClean(layout(), new Configuration());

    Path orders = local(layout().bronze("orders", DAY));
    assertEquals("published", Files.readString(orders.resolve("part-0.parquet")));
    assertEquals("current", Files.readString(carts.resolve("part-0.parquet")));
    assertFalse(Files.exists(dir.resolve("_staging/run-killed")));
    assertFalse(Files.exists(dir.resolve("_staging/run-older")));
  }
}
