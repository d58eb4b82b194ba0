"""The `boktor sim` command (also `python -m boktor.sim`)."""

from __future__ import annotations

from typing import Annotated

import typer

from boktor.sim.settings import DEFAULT_RATES, SimSettings


def sim_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8091,
    channel_secret: Annotated[
        str, typer.Option(help="Channel secret used to sign webhooks.")
    ] = "sim-channel-secret",
    access_token: Annotated[
        str, typer.Option(help="Channel access token clients must send.")
    ] = "sim-access-token",
    webhook_url: Annotated[
        str | None, typer.Option(help="Boktor's webhook, e.g. http://127.0.0.1:8000/line/webhook.")
    ] = None,
    login_channel_id: Annotated[
        str, typer.Option(help="LINE Login channel ID accepted as ID token audience.")
    ] = "1234567890",
    liff_endpoint: Annotated[
        str | None,
        typer.Option(help="The LIFF app's endpoint URL: tapped LIFF links open it with an ID token."),
    ] = None,
    users: Annotated[
        int | None,
        typer.Option(
            help="How many virtual phones with Thai names to generate (default 20, or 0 with --users-file)."
        ),
    ] = None,
    users_file: Annotated[str | None, typer.Option(help="JSON or CSV of userId,displayName to load.")] = None,
    users_state: Annotated[
        str, typer.Option(help="Initial state of generated phones: never-followed or friend.")
    ] = "never-followed",
    monthly_quota: Annotated[
        int | None, typer.Option(help="Monthly message quota (default: unlimited).")
    ] = None,
    multicast_rate: Annotated[float, typer.Option(help="Multicast requests per second.")] = DEFAULT_RATES[
        "multicast"
    ],
    push_rate: Annotated[float, typer.Option(help="Push requests per second.")] = DEFAULT_RATES["push"],
    reply_rate: Annotated[float, typer.Option(help="Reply requests per second.")] = DEFAULT_RATES["reply"],
    broadcast_per_hour: Annotated[
        float, typer.Option(help="Broadcast and narrowcast requests per hour.")
    ] = 60,
    no_limits: Annotated[bool, typer.Option("--no-limits", help="Lift all rate limits.")] = False,
    latency_ms: Annotated[float, typer.Option(help="Added latency per Messaging API request.")] = 0.0,
    jitter_ms: Annotated[float, typer.Option(help="Random +/- spread around the latency.")] = 0.0,
    error_rate: Annotated[float, typer.Option(help="Fraction of requests answered 500.")] = 0.0,
    drop_rate: Annotated[
        float, typer.Option(help="Fraction of connections dropped without an answer.")
    ] = 0.0,
    lost_rate: Annotated[
        float, typer.Option(help="Fraction accepted and delivered, then the answer is lost.")
    ] = 0.0,
    seed: Annotated[int | None, typer.Option(help="Random seed for user IDs, names and faults.")] = None,
    webhook_timeout: Annotated[
        float, typer.Option(help="Seconds LINE waits for the webhook to answer.")
    ] = 2.0,
    reply_token_ttl: Annotated[
        float, typer.Option(help="Seconds a reply token stays valid (LINE: 60).")
    ] = 60.0,
    webhook_retry_delays: Annotated[
        str, typer.Option(help="Comma-separated seconds between webhook retries.")
    ] = "1,2,4",
) -> None:
    """Run the LINE platform simulator: Messaging API, LIFF token verification and virtual phones."""
    from boktor.sim.server import run

    rates = dict(DEFAULT_RATES)
    rates.update(
        multicast=multicast_rate,
        push=push_rate,
        reply=reply_rate,
        narrowcast=broadcast_per_hour / 3600,
        broadcast=broadcast_per_hour / 3600,
    )
    delays = tuple(float(x) for x in webhook_retry_delays.split(",") if x.strip())
    run(
        SimSettings(
            host=host,
            port=port,
            channel_secret=channel_secret,
            access_token=access_token,
            webhook_url=webhook_url,
            login_channel_id=login_channel_id,
            liff_endpoint=liff_endpoint,
            users=(0 if users_file else 20) if users is None else users,
            users_file=users_file,
            users_state=users_state,
            monthly_quota=monthly_quota,
            rates=rates,
            no_limits=no_limits,
            latency_ms=latency_ms,
            jitter_ms=jitter_ms,
            error_rate=error_rate,
            drop_rate=drop_rate,
            lost_rate=lost_rate,
            seed=seed,
            webhook_timeout=webhook_timeout,
            reply_token_ttl=reply_token_ttl,
            webhook_retry_delays=delays,
        )
    )


def main() -> None:
    """Entry point for `python -m boktor.sim`."""
    typer.run(sim_command)
