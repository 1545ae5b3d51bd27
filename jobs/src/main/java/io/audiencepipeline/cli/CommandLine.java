package io.audiencepipeline.cli;

import io.audiencepipeline.run.PipelineFailure;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parsed command line: {@code <command> [--run-date D] [--from D] [--config FILE]... [-Dkey=value]...}
 * plus command-specific {@code --name value} options. Usage errors exit with code 2.
 */
public record CommandLine(String command, Optional<LocalDate> runDate, Optional<LocalDate> from,
    List<String> configFiles, Map<String, String> overrides, Map<String, String> options) {

  public static final String USAGE = """
      usage: audience-pipeline <command> [options]

      commands:
        ingest            validate and normalise every source's landing data into bronze
        unify             resolve identities; publish the customer profile and event timeline
        features          point-in-time features as of the run date (gold/features/as_of=D)
        train             train, evaluate and register a model version per target; promote it when it
                          is not worse than the champion (--target NAME for one target; --if-stale
                          only targets whose champion is missing or older than retrain-after-days)
        score             apply each target's champion to the run date's features (gold/scores/as_of=D)
        segment           every campaign's waterfall, arbitrated across campaigns (gold/segments,
                          gold/waterfall)
        export            publish each campaign's audience files per destination (outbox/), the diff
                          against the previous night and the contact history; a campaign whose size
                          changed past its quality gate is held (exit 4) unless --allow-size-change
        nightly           every stage in order for the run date (training only targets whose champion
                          is missing or older than audience.models.retrain-after-days)
        evaluate-identity pairwise precision/recall/F1 of the run date's identity map against the
                          generator's truth (--truth PATH, e.g. sample-data/_truth)
        evaluate-models   ROC AUC of the run date's scores against the generator's realised outcomes,
                          next to the true probabilities' AUC and a recency/frequency baseline
                          (--truth PATH)
        report            the run report (reports/dt=D) of a night whose stages ran as separate commands
                          (the Airflow DAG), from the records they left; exits with the night's code
        floor             benchmark: read every source's landing data once and write the run date's
                          published outputs once (--scratch PATH receives the copy and is deleted)
        validate-config   load and check the configuration, then exit
        generate          write a synthetic landing zone with ground truth
                          (--people N --seed S --end-date YYYY-MM-DD --days N --out PATH)

      options:
        --run-date YYYY-MM-DD   the logical business date (required by every business command)
        --from YYYY-MM-DD       ingest every landing date from this one to --run-date (backfill)
        --config FILE           HOCON layered over the defaults; repeatable, later files win
        -Dkey=value             override any configuration key, e.g. -Daudience.warehouse=hdfs:///wh
        --allow-size-change     export, nightly: publish audiences the quality gate would hold

      exit codes: 0 done, 1 failure, 2 bad usage or config, 3 input rejected, 4 held by a quality gate
      """;

  /** Options that take no value. */
  private static final java.util.Set<String> FLAGS = java.util.Set.of("allow-size-change", "if-stale");

  public static CommandLine parse(String[] args) {
    String command = null;
    LocalDate runDate = null;
    LocalDate from = null;
    List<String> configFiles = new ArrayList<>();
    Map<String, String> overrides = new LinkedHashMap<>();
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.startsWith("-D") && arg.length() > 2) {
        int eq = arg.indexOf('=');
        if (eq < 3) {
          throw usage("'" + arg + "' is not -Dkey=value");
        }
        overrides.put(arg.substring(2, eq), arg.substring(eq + 1));
      } else if (arg.startsWith("--")) {
        String name = arg.substring(2);
        if (name.equals("help")) {
          throw usage("");
        }
        if (FLAGS.contains(name)) {
          options.put(name, "true");
          continue;
        }
        if (i + 1 >= args.length) {
          throw usage("option " + arg + " needs a value");
        }
        String value = args[++i];
        switch (name) {
          case "run-date" -> runDate = date(arg, value);
          case "from" -> from = date(arg, value);
          case "config" -> configFiles.add(value);
          default -> options.put(name, value);
        }
      } else if (command == null) {
        command = arg;
      } else {
        throw usage("unexpected argument '" + arg + "'");
      }
    }
    if (command == null) {
      throw usage("no command given");
    }
    return new CommandLine(command, Optional.ofNullable(runDate), Optional.ofNullable(from),
        List.copyOf(configFiles), Map.copyOf(overrides), Map.copyOf(options));
  }

  public LocalDate requireRunDate() {
    return runDate.orElseThrow(() -> usage("command '" + command + "' needs --run-date YYYY-MM-DD"));
  }

  public String requireOption(String name) {
    String value = options.get(name);
    if (value == null) {
      throw usage("command '" + command + "' needs --" + name);
    }
    return value;
  }

  public long longOption(String name, long fallback) {
    String value = options.get(name);
    try {
      return value == null ? fallback : Long.parseLong(value.replace("_", ""));
    } catch (NumberFormatException e) {
      throw usage("--" + name + " expects an integer, got '" + value + "'");
    }
  }

  public LocalDate dateOption(String name) {
    return date("--" + name, requireOption(name));
  }

  /** Fails on options this command does not know, so typos are not silently ignored. */
  public void allowOnly(String... names) {
    List<String> allowed = List.of(names);
    for (String name : options.keySet()) {
      if (!allowed.contains(name)) {
        throw usage("unknown option --" + name + " for command '" + command + "'");
      }
    }
  }

  private static LocalDate date(String option, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw usage(option + " expects a date YYYY-MM-DD, got '" + value + "'");
    }
  }

  static PipelineFailure usage(String message) {
    return PipelineFailure.badConfig((message.isEmpty() ? "" : message + "\n\n") + USAGE);
  }
}
