package io.audiencepipeline.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.cli.AudiencePipeline;
import io.audiencepipeline.testing.CampaignFixture;
import io.audiencepipeline.testing.SharedSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * segment and export with the warehouse on HDFS (Hadoop's MiniDFSCluster, bound to 127.0.0.1 and stopped by
 * the test) publish what they publish on the local file system: every read, write, rename and listing goes
 * through Hadoop's FileSystem, none through java.io.File.
 */
class HdfsWarehouseTest {
  private static final LocalDate NIGHT = LocalDate.of(2026, 11, 21);

  @TempDir
  Path dir;

  @Test
  void segmentAndExportPublishTheSameOnHdfs() throws Exception {
    CampaignFixture fixture = new CampaignFixture(dir.resolve("local"));
    fixture.night(NIGHT);
    assertEquals(0, fixture.segmentAndExport(NIGHT));
    Map<String, String> local = fixture.publishedView(NIGHT);

    CampaignFixture onHdfs = new CampaignFixture(dir.resolve("from-hdfs"));
    onHdfs.night(NIGHT);
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    for (String key : new String[] {"dfs.namenode.http-address", "dfs.datanode.address", "dfs.datanode.http.address",
        "dfs.datanode.ipc.address"}) {
      conf.set(key, "127.0.0.1:0");
    }
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    try {
      cluster.waitActive();
      String warehouse = cluster.getURI() + "/audience/warehouse";
      FileSystem hdfs = cluster.getFileSystem();
      // The inputs (profile, features, timeline) go to HDFS; nothing else does.
      hdfs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(onHdfs.warehouse().toUri()),
          new org.apache.hadoop.fs.Path(warehouse));
      for (String stage : new String[] {"segment", "export"}) {
        String[] args = onHdfs.args(stage, NIGHT, "email", "-Daudience.warehouse=" + warehouse);
        assertEquals(0, AudiencePipeline.execute(args,
            s -> SharedSpark.session(), false), stage + " on HDFS");
      }
      assertTrue(hdfs.exists(new org.apache.hadoop.fs.Path(warehouse + "/outbox/launch/email_tool/dt=" + NIGHT
          + "/_SUCCESS")));
      assertFalse(Files.exists(onHdfs.warehouse().resolve("outbox")), "nothing was written to the local disk");
      assertFalse(Files.exists(Path.of("hdfs:")), "no hdfs: path was taken for a local one");

      // Bring the warehouse back and compare what readers see.
      Files.walk(onHdfs.warehouse()).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      hdfs.copyToLocalFile(false, new org.apache.hadoop.fs.Path(warehouse),
          new org.apache.hadoop.fs.Path(onHdfs.warehouse().toUri()), true);
      CampaignFixture.assertSameView(local, onHdfs.publishedView(NIGHT), "HDFS against the local file system");
    } finally {
      cluster.shutdown();
    }
  }
}
