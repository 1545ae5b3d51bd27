"""Airflow DAG: the Audience Pipeline's nightly stages, one task each, for the logical date {{ ds }}.

Each task runs the pipeline's CLI for one stage, exactly as `nightly` would run them in order (and as
scripts/audience-pipeline or scripts/spark-submit-example launch it). The CLI's exit codes
(docs/OPERATIONS.md) decide what Airflow does:

  0  done                 -> success
  1  failure              -> failed, retried (a lost executor or a full disk may pass)
  2  bad usage or config  -> failed at once, no retry (the same config fails the same way)
  3  input rejected       -> failed, retried (a late or re-delivered feed may fix it)
  4  held by the quality gate -> failed at once, no retry, so the usual failure alerts fire: an audience
                             changed size past its limit and was not published (the other campaigns
                             were). Check the numbers in the task log; to publish anyway, add the date to
                             the Airflow Variable audience_pipeline_allow_size_change (comma-separated
                             YYYY-MM-DD) and clear the export and report tasks of that run.

After the stages, the `report` task (trigger rule all_done: it runs whether they succeeded or not) assembles
reports/dt=<ds>/report.html and run.json from the records each stage left, as `nightly` would write them.
It exits with the night's code (a stage that left no record counts as failed), so the DAG run fails when the
night did; it is never retried for that, and it does not depend on the previous night's report (a failed
night's report must not hold the next night's). Each stage deletes its own and the later stages' records
when it starts, so a cleared task's earlier attempt never mixes into the report.

Runs must be sequential (identity ids stay stable night to night, frequency caps read earlier nights), so
max_active_runs = 1 and depends_on_past = True.

Configure with environment variables on the workers:
  AUDIENCE_PIPELINE_LAUNCHER  the command that runs the CLI (default: $AUDIENCE_PIPELINE_HOME/scripts/audience-pipeline;
                              use a spark-submit wrapper on a cluster)
  AUDIENCE_PIPELINE_CONFIG    the deployment's HOCON (default: $AUDIENCE_PIPELINE_HOME/conf/application.conf)
"""
from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta

import logging

from airflow import DAG
from airflow.exceptions import AirflowFailException
from airflow.models import Variable
from airflow.operators.python import PythonOperator
from airflow.utils.trigger_rule import TriggerRule

# The stages in the order `nightly` runs them (AudiencePipeline.NIGHTLY_STAGES; AirflowDagTest keeps them equal).
STAGES = ["ingest", "unify", "features", "train", "score", "segment", "export"]
# train retrains only targets whose champion is missing or older than audience.models.retrain-after-days.
STAGE_ARGS = {"train": ["--if-stale"]}

# The CLI's exit codes (io.audiencepipeline.run.ExitCode).
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_CONFIG = 2
EXIT_INPUT_REJECTED = 3
EXIT_HELD_BY_QUALITY_GATE = 4

HOME = os.environ.get("AUDIENCE_PIPELINE_HOME", "/opt/audience-pipeline")
LAUNCHER = os.environ.get("AUDIENCE_PIPELINE_LAUNCHER", os.path.join(HOME, "scripts", "audience-pipeline"))
CONFIG = os.environ.get("AUDIENCE_PIPELINE_CONFIG", os.path.join(HOME, "conf", "application.conf"))


def stage_command(stage: str, ds: str, allow_size_change: bool = False) -> list[str]:
    """The CLI call for one stage of the night `ds`."""
    command = [LAUNCHER, stage, "--run-date", ds, "--config", CONFIG, *STAGE_ARGS.get(stage, [])]
    if stage == "export" and allow_size_change:
        command.append("--allow-size-change")
    return command


# Dates whose held audiences an operator decided to publish anyway (export --allow-size-change).
ALLOW_SIZE_CHANGE_VARIABLE = "audience_pipeline_allow_size_change"


def run_cli(command: list[str]) -> int:
    log = logging.getLogger("audience_pipeline")
    log.info("running %s", " ".join(command))
    # The CLI's output goes into the task log line by line (a subprocess's own stdout would not).
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as child:
        for line in child.stdout:
            log.info(line.rstrip())
        return child.wait()


def run_stage(stage: str, ds: str, **_) -> None:
    allowed = Variable.get(ALLOW_SIZE_CHANGE_VARIABLE, default_var="")
    allow = ds in [d.strip() for d in allowed.split(",") if d.strip()]
    code = run_cli(stage_command(stage, ds, allow))
    if code == EXIT_OK:
        return
    if code == EXIT_HELD_BY_QUALITY_GATE:
        raise AirflowFailException(f"{stage} {ds}: held by the quality gate (exit 4), see the numbers above; to "
                                   f"publish anyway add {ds} to the Variable {ALLOW_SIZE_CHANGE_VARIABLE} "
                                   "and clear this task and the report task")
    if code == EXIT_BAD_CONFIG:
        raise AirflowFailException(f"{stage} {ds}: bad usage or configuration (exit 2); not retried")
    raise RuntimeError(f"{stage} {ds}: exit {code} ({'input rejected' if code == EXIT_INPUT_REJECTED else 'failed'})")


def run_report(ds: str, **_) -> None:
    """The night's run report from the stages' records; fails (without retry) when the night did not succeed."""
    code = run_cli([LAUNCHER, "report", "--run-date", ds, "--config", CONFIG])
    if code != EXIT_OK:
        raise AirflowFailException(f"report {ds}: exit {code}; the report (if written) says which stage did not "
                                   f"succeed: reports/dt={ds}/report.html")


with DAG(
    dag_id="audience_pipeline_nightly",
    description="Siloed customer data -> consent-safe audience lists, every night",
    schedule="0 2 * * *",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args={
        "owner": "data-platform",
        "depends_on_past": True,
        "retries": 2,
        "retry_delay": timedelta(minutes=10),
        "execution_timeout": timedelta(hours=4),
    },
    tags=["audience-pipeline"],
) as dag:
    previous = None
    for name in STAGES:
        task = PythonOperator(task_id=name, python_callable=run_stage, op_kwargs={"stage": name})
        if previous is not None:
            previous >> task
        previous = task
    # Runs after the stages whatever their outcome, and is the DAG's only leaf, so its state is the run's.
    report = PythonOperator(task_id="report", python_callable=run_report, trigger_rule=TriggerRule.ALL_DONE,
                            retries=0, depends_on_past=False)
    previous >> report
