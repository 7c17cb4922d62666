import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Build a clinic network's years of data for load tests (bench/scale): by default 10 "
        "sites x 10 chairs, 100,000 patients and five years of courses (about 900,000 "
        "appointments, 6 million vitals readings). Use a fresh, migrated database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0,
            help="Fraction of the full network's patients and history (e.g. 0.1); sites and "
            "chairs stay unless given.",
        )  # fmt: skip
        parser.add_argument("--sites", type=int, help="Sites (default 10).")
        parser.add_argument("--chairs", type=int, help="Chairs per site (default 10).")
        parser.add_argument("--patients", type=int, help="Patients in all (default 100,000).")
        parser.add_argument(
            "--years", type=float, help="Years of history ending today (default 5)."
        )
        parser.add_argument("--days", type=int, help="Days of history ending today.")
        parser.add_argument("--seed", type=int, default=16, help="Random seed (default 16).")
        parser.add_argument(
            "--password",
            help="Password for every scale staff account (default: none, logins disabled).",
        )
        parser.add_argument(
            "--force", action="store_true",
            help="Add the network even though the database holds other (non-scale) data.",
        )  # fmt: skip
        parser.add_argument(
            "--jobs", type=int, default=1,
            help="Sites seeded at once, each in its own process (e.g. 2 on two cores).",
        )  # fmt: skip
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        # bench sits above every app (it writes all of them); imported here, not at the top,
        # so the clinic app does not depend on it.
        from tqdm import tqdm

        import bench.scale as scale

        size = self._size(options)
        if scale.network.existing_sites().exists():
            raise CommandError(
                "This database already holds a scale network; seed_scale builds one from "
                "scratch. Use a fresh database (createdb, then manage.py migrate)."
            )
        others = {name: count for name, count in scale.existing().items() if count}
        if others and not options["force"]:
            found = ", ".join(f"{count} {name}" for name, count in others.items())
            raise CommandError(
                f"This database already holds data that is not a scale network's ({found}). "
                "Use a fresh database, or --force to add the network beside it."
            )
        self.stdout.write(
            f"Building {size.sites} sites x {size.chairs} chairs, {size.patients:,} patients, "
            f"{size.days} days of history (seed {size.seed}), {options['jobs']} job(s)."
        )
        started = time.monotonic()
        with tqdm(
            total=scale.total_steps(size), unit="step", disable=options["no_progress"],
            desc="seed_scale",
        ) as progress:  # fmt: skip
            try:
                counts = scale.build(
                    size, now=timezone.now(), password=options["password"], progress=progress,
                    jobs=options["jobs"],
                )  # fmt: skip
            except ValueError as error:
                raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started
        width = max(len(table) for table in counts)
        self.stdout.write("Rows written, per table:")
        for table, rows in counts.items():
            self.stdout.write(f"  {table:<{width}} {rows:>12,}")
        self.stdout.write(f"  {'total':<{width}} {sum(counts.values()):>12,}")
        if options["verbosity"] > 1:
            self.stdout.write("Seconds per table (COPY / INSERT ... SELECT, index builds):")
            width = max([width, *(len(table) for table in scale.db.TIMINGS)])
            for table, seconds in sorted(scale.db.TIMINGS.items(), key=lambda kv: -kv[1]):
                self.stdout.write(f"  {table:<{width}} {seconds:>8.1f}")
        self.stdout.write(self.style.SUCCESS(f"Scale network built in {elapsed:.0f} s."))

    def _size(self, options):
        from bench.scale.plan import Size

        days = options["days"]
        if options["years"] is not None:
            days = round(options["years"] * 365.25)
        size = Size.scaled(
            options["scale"], sites=options["sites"], chairs=options["chairs"],
            patients=options["patients"], days=days, seed=options["seed"],
        )  # fmt: skip
        if size.sites < 1 or size.chairs < 1 or size.patients < 1 or size.days < 1:
            raise CommandError("Sites, chairs, patients and days must each be at least 1.")
        return size
