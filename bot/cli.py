"""The ``bot`` command line (also ``python -m bot``): build, db, orgs, train, run, route, users, knowledge, eval,
retention, jobs, deploy (db, retention and jobs in ``bot.cli_data``).

Commands import only what they need, so ``route``, ``orgs import`` and ``users create`` start without
loading TensorFlow.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from bot.cli_data import add_data_commands
from bot.cli_laws import add_law_commands
from bot.settings import get_settings


def cmd_build(args: argparse.Namespace) -> int:
    from bot.knowledge.catalog import Catalog
    from bot.ops.build import build_all, write_intent_examples

    settings = get_settings()
    if args.intent_examples:
        for path in write_intent_examples(Catalog(settings.knowledge_dir), settings.project_root / "data"):
            print(f"wrote {path} (review the diff, then retrain and evaluate)")
    for path in build_all(settings.project_root, settings.build_dir):
        print(f"wrote {path}")
    return 0


def cmd_orgs_build(args: argparse.Namespace) -> int:
    from bot.mediation.directory import write_directory
    from bot.mediation.directory_build import build_directory

    settings = get_settings()
    rows = build_directory(settings.knowledge_dir)
    out = Path(args.out) if args.out else settings.knowledge_dir / "orgs" / "organizations.csv"
    write_directory(out, rows)
    print(f"wrote {len(rows)} organizations to {out}")
    return 0


def cmd_orgs_import(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from bot.db.session import session_scope
    from bot.mediation.directory import DirectoryError, import_directory, read_directory
    from bot.mediation.disputes import DisputeTypes

    try:
        rows = read_directory(Path(args.file), DisputeTypes.load(get_settings().knowledge_dir).codes)
    except (DirectoryError, FileNotFoundError) as error:
        print(f"nothing imported: {error}", file=sys.stderr)
        return 2
    with session_scope() as session:
        inserted, updated = import_directory(session, list(tqdm(rows, desc="organizations", unit="org")))
    counted = sum(r.kind != "studio" for r in rows)
    print(f"imported {len(rows)} rows ({counted} organizations + {len(rows) - counted} studios): ", end="")
    print(f"{inserted} new, {updated} updated")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from bot.ops.build import build_all
    from bot.ops.training import ensure_model

    settings = get_settings()
    build_all(settings.project_root, settings.build_dir)
    out = Path(args.out) if args.out else settings.model_dir
    scale = args.epochs_scale if args.epochs_scale is not None else settings.training_epochs_scale
    ensure_model(settings.project_root, out, scale)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.ops.runner import run_all

    return run_all(get_settings())


def cmd_route(args: argparse.Namespace) -> int:
    from bot.knowledge.catalog import Catalog
    from bot.mediation.routing import RouteRequest

    cat = Catalog(get_settings().knowledge_dir)
    location = cat.gazetteer.resolve(args.place or "")
    if args.place and (not location.found or location.ambiguous):
        names = "、".join(cat.gazetteer.full_name(p.code) for p in location.choices[:8]) or "none"
        print(f"place not resolved: {args.place!r} (candidates: {names})", file=sys.stderr)
        return 2
    request = RouteRequest(
        dispute_type=args.type,
        county_code=location.county.code if location.county else None,
        town_code=location.town.code if location.town else None,
        village_code=location.village.code if location.village else None,
        cross_village=args.cross_village,
    )
    decision = cat.router().route(request)
    if args.json:
        print(
            json.dumps(
                {"org": decision.org.__dict__, "rule": decision.rule, "reason": decision.reason},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(f"{decision.org.name} [{decision.org.id}, {decision.org.kind}]")
        print(f"rule: {decision.rule}")
        print(f"reason: {decision.reason}")
    return 0


def cmd_users_create(args: argparse.Namespace) -> int:
    from bot.db.session import session_scope
    from bot.staff import UserError, create_user

    password = args.password or getpass.getpass("password: ")
    try:
        with session_scope() as session:
            user = create_user(session, args.username, password, args.role, args.org)
            print(f"created {user.role} {user.username}" + (f" of {user.org_id}" if user.org_id else ""))
    except UserError as error:
        print(f"not created: {error}", file=sys.stderr)
        return 2
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.evaluation.run import run_evaluation

    return run_evaluation(
        get_settings(), args.url, Path(args.questions), Path(args.out), args.limit, args.figures_only
    )


def cmd_knowledge_check(args: argparse.Namespace) -> int:
    from bot.knowledge.catalog import Catalog
    from bot.knowledge.check import check_knowledge, counts
    from bot.ops.build import untaught_entries

    knowledge = get_settings().knowledge_dir
    problems = check_knowledge(knowledge)
    for line in problems:
        print(line)
    if not problems:
        print("\n".join(counts(knowledge)))
        untaught = untaught_entries(Catalog(knowledge), get_settings().project_root / "data")
        if untaught:
            print(
                f"{len(untaught)} entries are answered but not yet in the intent model's examples "
                f"({', '.join(untaught[:5])}{' …' if len(untaught) > 5 else ''}): when convenient, "
                "`bot build --intent-examples`, then `make train` and the evaluations"
            )
    return 1 if problems else 0


def cmd_knowledge_publish(args: argparse.Namespace) -> int:
    import time

    from bot.knowledge.releases import PublishRefused
    from bot.ops.publishing import publish_knowledge

    settings = get_settings()
    started = time.perf_counter()
    try:
        release = publish_knowledge(settings)
    except PublishRefused as refused:
        for line in refused.problems:
            print(line)
        print("not published: the running assistant keeps the knowledge it has")
        return 1
    print(
        f"published {release.digest} in {time.perf_counter() - started:.1f} s; running action servers use it "
        f"within {settings.knowledge_poll_seconds:g} s and a second or two of loading"
    )
    return 0


def cmd_deploy_nginx(args: argparse.Namespace) -> int:
    from bot.ops.deploy import Topology, render_nginx

    topology = Topology(
        rasa=tuple(args.rasa.split(",")),
        actions=tuple(args.actions.split(",")),
        web=args.web,
        public_listen=args.listen,
        internal_listen=args.internal,
    )
    print(render_nginx(get_settings().project_root, topology), end="")
    return 0


def parser() -> argparse.ArgumentParser:
    from bot.mediation.disputes import DisputeTypes

    p = argparse.ArgumentParser(
        prog="bot", description="the Qingyuan legal-education and mediation assistant"
    )
    sub = p.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="generate jieba dictionaries and training data into var/build/")
    build_cmd.add_argument(
        "--intent-examples",
        action="store_true",
        help="first refresh data/'s intent examples taken from knowledge/ (then retrain and evaluate)",
    )
    build_cmd.set_defaults(func=cmd_build)
    add_data_commands(sub)
    orgs = sub.add_parser("orgs", help="mediation directory").add_subparsers(
        dest="orgs_command", required=True
    )
    build = orgs.add_parser("build", help="regenerate knowledge/orgs/organizations.csv")
    build.add_argument("--out")
    build.set_defaults(func=cmd_orgs_build)
    imp = orgs.add_parser("import", help="load a directory CSV in one transaction")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_orgs_import)
    train = sub.add_parser("train", help="train the model if its inputs changed")
    train.add_argument("--out")
    train.add_argument("--epochs-scale", type=float)
    train.set_defaults(func=cmd_train)
    sub.add_parser("run", help="start Rasa, the action server, the web app and the job runner").set_defaults(
        func=cmd_run
    )
    route = sub.add_parser("route", help="show which organization a dispute goes to")
    route.add_argument("--type", required=True, choices=DisputeTypes.load(get_settings().knowledge_dir).codes)
    route.add_argument("--place", default="")
    route.add_argument("--cross-village", action="store_true")
    route.add_argument("--json", action="store_true")
    route.set_defaults(func=cmd_route)
    users = sub.add_parser("users", help="console accounts").add_subparsers(
        dest="users_command", required=True
    )
    create = users.add_parser("create", help="create a console account")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=("mediator", "educator", "admin"))
    create.add_argument("--org", help="organization id (mediators)")
    create.add_argument("--password", help="omit to be prompted")
    create.set_defaults(func=cmd_users_create)
    ev = sub.add_parser("eval", help="score the held-out set through the running bot (starts it if no --url)")
    ev.add_argument(
        "--url", help="a running Rasa REST webhook; default: start the stack on the configured ports"
    )
    ev.add_argument("--questions", default="tests/eval/questions.yml")
    ev.add_argument("--out", default="var/eval")
    ev.add_argument("--limit", type=int, help="only the first N questions")
    ev.add_argument(
        "--figures-only", action="store_true", help="a test set: print the figures, never the misses"
    )
    ev.set_defaults(func=cmd_eval)
    know = sub.add_parser("knowledge", help="knowledge base").add_subparsers(dest="k_command", required=True)
    know.add_parser("check", help="validate knowledge/").set_defaults(func=cmd_knowledge_check)
    know.add_parser(
        "publish", help="check knowledge/ and make the running action servers use it (no retraining)"
    ).set_defaults(func=cmd_knowledge_publish)
    add_law_commands(sub, know)
    deploy = sub.add_parser("deploy", help="production profile").add_subparsers(
        dest="d_command", required=True
    )
    nginx = deploy.add_parser("nginx", help="print the nginx site configuration (README: Production)")
    nginx.add_argument(
        "--rasa", default="127.0.0.1:5005,127.0.0.1:5006", help="Rasa servers, comma-separated"
    )
    nginx.add_argument("--actions", default="127.0.0.1:5055,127.0.0.1:5056", help="action servers")
    nginx.add_argument("--web", default="127.0.0.1:8000", help="the web app")
    nginx.add_argument("--listen", default="80", help="the public listen directive")
    nginx.add_argument("--internal", default="127.0.0.1:8081", help="the loopback-only listen directive")
    nginx.set_defaults(func=cmd_deploy_nginx)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
