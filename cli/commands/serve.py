"""`sfn serve`: the AWS Step Functions API on localhost, for SDKs, the AWS CLI and tests."""

from __future__ import annotations

import os
import signal
import threading

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (anything but loopback lets other machines in: sfn checks no credentials).")
@click.option("--port", type=click.IntRange(0, 65535), default=8083, show_default=True, help="0 picks a free port.")
@click.option("--store", "store_path", metavar="PATH", default=os.path.join(".sfn", "sfn.db"), show_default=True,
              help="The SQLite store: machines, executions and histories survive a restart.")
@click.option("--resources", metavar="FILE", help="Handlers, topics, queues and machines Tasks reach (as `sfn run`).")
@click.option("--mock-config", metavar="FILE", help="Step Functions Local's MockConfigFile (default: $SFN_MOCK_CONFIG); "
                                                     "start `stateMachineArn#TestCase` to use a test case.")
@click.option("--clock", type=click.Choice(["real", "virtual"]), default="real", show_default=True,
              help="virtual: Wait states and Retry intervals take no real time.")
@click.option("--wait-time-scale", type=click.FloatRange(0, None), metavar="X",
              help="Real clock: waits and Retry intervals last X times as long (default: $WAIT_TIME_SCALE, else 1).")
@click.option("--workers", type=click.IntRange(1, 1024), default=32, show_default=True,
              help="Executions that run at once; more wait their turn.")
@click.option("--verbose", is_flag=True, help="Log every request.")
@click.option("--s3-dir", metavar="DIR", envvar="SFN_S3_DIR", show_envvar=True,
              help="A folder standing in for Amazon S3 (DIR/<bucket>/<key> is s3://bucket/key), as `sfn run`'s.")
def serve(host: str, port: int, store_path: str, resources: str | None, mock_config: str | None, clock: str,
          wait_time_scale: float | None, workers: int, verbose: bool, s3_dir: str | None = None) -> None:
    """Serve the AWS Step Functions API (awsJson1_0) until Ctrl-C or SIGTERM.

    \b
    Point an SDK at it:
      boto3.client("stepfunctions", endpoint_url="http://127.0.0.1:8083")
      AWS_ENDPOINT_URL_STEPFUNCTIONS=http://127.0.0.1:8083 python app.py
    AWS_ACCOUNT_ID and AWS_DEFAULT_REGION set the account and region in ARNs.
    """
    from asl import aws
    from asl.errors import UserInputError
    from asl.service import Service, mock_config_from_env
    from asl.service.http import ApiServer, is_loopback

    aws.configure(os.environ.get("AWS_DEFAULT_REGION"), os.environ.get("AWS_ACCOUNT_ID"))
    if wait_time_scale is None and os.environ.get("WAIT_TIME_SCALE"):
        try:
            wait_time_scale = float(os.environ["WAIT_TIME_SCALE"])
        except ValueError:
            raise UserInputError(f"WAIT_TIME_SCALE must be a number (got {os.environ['WAIT_TIME_SCALE']!r})") from None
    service = Service(store_path, resources, mock_config_from_env(mock_config), clock, wait_time_scale, workers,
                      s3_dir=s3_dir)
    try:
        server = ApiServer(service, host, port, verbose)
    except OSError as exc:
        service.close(0)
        raise UserInputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    # Ctrl-C and SIGTERM stop alike (SIGINT too when a shell started us in the background, where it is
    # ignored); shutdown() must come from another thread than serve_forever's. Set before the line saying
    # we listen, so a client that stops us as soon as it reads it gets a clean stop.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    if not is_loopback(host):
        click.echo(f"sfn serve: warning: listening on {host}, not loopback: anyone who can reach this machine can "
                   "create and run state machines (no credentials are checked)", err=True)
    click.echo(f"sfn serve: listening on {server.url} (store {store_path}); Ctrl-C stops", err=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        click.echo("sfn serve: stopping; running executions are aborted", err=True)
        service.close()
