package io.audiencepipeline.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.cli.AudiencePipeline;
import io.audiencepipeline.testing.SharedSpark;
import io.audiencepipeline.testing.TinyNight;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole night, ingest to export, with the landing zone and the warehouse on HDFS (Hadoop's MiniDFSCluster,
 * bound to 127.0.0.1 and stopped by the test) publishes what it publishes on the local file system: every read,
 * write, rename and listing goes through Hadoop's FileSystem, none through java.io.File.
 */
class HdfsWarehouseTest {
  @TempDir
  Path dir;

  @Test
  void theNightOnHdfsPublishesWhatItPublishesLocally() throws Exception {
    TinyNight.Outcome local = TinyNight.localReference();
    TinyNight night = new TinyNight(dir.resolve("from-hdfs")).land();

    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    for (String key : new String[] {"dfs.namenode.http-address", "dfs.datanode.address", "dfs.datanode.http.address",
        "dfs.datanode.ipc.address"}) {
      conf.set(key, "127.0.0.1:0");
    }
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    try {
      cluster.waitActive();
      String landing = cluster.getURI() + "/audience/landing";
      String warehouse = cluster.getURI() + "/audience/warehouse";
      FileSystem hdfs = cluster.getFileSystem();
      hdfs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(night.landing().toUri()),
          new org.apache.hadoop.fs.Path(landing));
      delete(night.landing());

      String[] args = night.args("nightly", "-Daudience.landing=" + landing, "-Daudience.warehouse=" + warehouse);
      assertEquals(0, AudiencePipeline.execute(args, s -> SharedSpark.session(), false), "nightly on HDFS");
      assertTrue(hdfs.exists(new org.apache.hadoop.fs.Path(warehouse + "/outbox/winback/email_list/dt="
          + TinyNight.NIGHT + "/_SUCCESS")));
      assertTrue(hdfs.exists(new org.apache.hadoop.fs.Path(warehouse + "/reports/dt=" + TinyNight.NIGHT
          + "/report.html")));
      assertFalse(Files.exists(night.warehouse()), "nothing was written to the local disk");
      assertFalse(Files.exists(Path.of("hdfs:")), "no hdfs: path was taken for a local one");

      // Bring the warehouse back and compare what readers see.
      hdfs.copyToLocalFile(false, new org.apache.hadoop.fs.Path(warehouse),
          new org.apache.hadoop.fs.Path(night.warehouse().toUri()), true);
      TinyNight.assertSameView(local.view(), night.publishedView(), "HDFS against the local file system");
      TinyNight.assertSameReport(local.report(), night.report(), "nightly on HDFS against local stages");
    } finally {
      cluster.shutdown();
    }
  }

  private static void delete(Path folder) throws Exception {
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
