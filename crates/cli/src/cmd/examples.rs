//! One worked example per subcommand, shown at the end of its `--help`
//! (and so in the manual pages): the one table of them, attached to the
//! command tree by [`command`]. The examples run from the repository root
//! (`examples/` holds the seed case, the STR tables and the NGS panel);
//! `every_subcommand_help_has_an_example` (tests/help_cli.rs) fails when a
//! subcommand has none, so a new subcommand adds its row here.

use clap::{Command, CommandFactory};

/// `(subcommand path, example lines)`; the path is the names after
/// `graftwatch`, separated by spaces.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "",
        "graftwatch course validate examples/seed-case/course.json\n  graftwatch report examples/seed-case/course.json --out seed.html",
    ),
    (
        "course",
        "graftwatch course show examples/seed-case/course.json --from -7 --to 30",
    ),
    (
        "course validate",
        "graftwatch course validate examples/seed-case/course.json examples/seed-case/course.csv\n  graftwatch --error-format json course validate - < course.json   # one JSON object per problem",
    ),
    (
        "course show",
        "graftwatch course show examples/seed-case/course.json --anchor dli --from 0 --to 60",
    ),
    (
        "course convert",
        "graftwatch course convert examples/seed-case/course.json seed.csv [--force]",
    ),
    ("demo", "graftwatch demo --out demo-report/"),
    (
        "chimerism",
        "graftwatch chimerism str --recipient R=examples/str/references.txt:R-pre --donor UCB-1=examples/str/references.txt:UCB-1 --donor PBSC-1=examples/str/references.txt:PBSC-1 --sample d14=examples/str/day14.txt:PB-d14-WB",
    ),
    (
        "chimerism str",
        "graftwatch chimerism str --recipient R=examples/str/references.txt:R-pre \\\n    --donor UCB-1=examples/str/references.txt:UCB-1 --donor PBSC-1=examples/str/references.txt:PBSC-1 \\\n    --sample PB-d14-WB=examples/str/day14.txt:PB-d14-WB:whole_blood:2024-05-13 --html str.html",
    ),
    (
        "chimerism ngs",
        "graftwatch chimerism ngs --panel examples/ngs/panel.vcf \\\n    --recipient recipient=examples/ngs/pileup.vcf --donor pbsc=examples/ngs/pileup.vcf --donor ucb1=examples/ngs/pileup.vcf \\\n    --sample day30=examples/ngs/pileup.vcf::whole_blood:2026-02-01 --format table",
    ),
    (
        "grade",
        "graftwatch grade examples/seed-case/course.json --on +160 --only agvhd,crs\n  graftwatch grade - --format json < course.csv",
    ),
    (
        "decide",
        "graftwatch decide examples/seed-case/course.json --on +100",
    ),
    (
        "report",
        "graftwatch report examples/seed-case/course.json --out seed.html\n  graftwatch report examples/seed-case/course.json --out seed.html --force   # replace it\n  graftwatch report examples/seed-case/course.json --format json --out -",
    ),
    (
        "completions",
        "graftwatch completions bash > /etc/bash_completion.d/graftwatch",
    ),
    (
        "man",
        "graftwatch man --out man/ && man man/graftwatch-report.1",
    ),
    ("config", "graftwatch config print > graftwatch.toml"),
    (
        "config print",
        "graftwatch config print > graftwatch.toml   # edit, then --config graftwatch.toml",
    ),
    ("db", "graftwatch db init && graftwatch db info"),
    ("db init", "graftwatch db init"),
    ("db info", "graftwatch db info"),
    (
        "db migrate",
        "graftwatch db backup before.sqlite3 && graftwatch db migrate",
    ),
    (
        "db backup",
        "graftwatch db backup /backups/gw-2026-12-03.sqlite3",
    ),
    (
        "db restore",
        "graftwatch db restore /backups/gw-2026-12-03.sqlite3",
    ),
    (
        "db add-user",
        "graftwatch db add-user dr.smith --role clinician",
    ),
    ("import", "graftwatch import examples/seed-case/"),
    (
        "export",
        "graftwatch export SEED-AML-01 --rev 1 --format csv --out seed-rev1.csv\n  graftwatch export SEED-AML-01 --deidentified --out research.json",
    ),
    ("patients", "graftwatch patients --alerts"),
    ("history", "graftwatch history SEED-AML-01"),
    (
        "patient",
        "graftwatch patient purge SEED-AML-01 --reason \"erasure request ref 2026-117\"",
    ),
    (
        "patient purge",
        "graftwatch patient purge SEED-AML-01 --reason \"erasure request ref 2026-117\"",
    ),
    ("audit", "graftwatch audit show --patient SEED-AML-01"),
    ("audit show", "graftwatch audit show --patient SEED-AML-01"),
    ("audit verify", "graftwatch audit verify"),
    (
        "serve",
        "graftwatch serve --db postgres://gw@db.example/graftwatch --bind 127.0.0.1:8080",
    ),
    ("user", "graftwatch user add dr.smith --role physician"),
    (
        "user add",
        "graftwatch user add dr.smith --role physician\n  printf '%s\\n' \"$PW\" | graftwatch user add lims --role lab-scientist --password-stdin",
    ),
    ("user list", "graftwatch user list"),
    ("user disable", "graftwatch user disable dr.smith"),
    ("user enable", "graftwatch user enable dr.smith"),
    ("user password", "graftwatch user password dr.smith"),
    (
        "token",
        "graftwatch token create lims --label \"STR upload\"",
    ),
    (
        "token create",
        "graftwatch token create lims --label \"LIMS upload 2026\"\n  curl -H \"Authorization: Bearer $TOKEN\" https://gw.example/api/patients",
    ),
    ("token list", "graftwatch token list"),
    (
        "token revoke",
        "graftwatch token revoke lims --label \"STR upload\"\n  graftwatch token revoke --token-stdin < token.txt",
    ),
];

/// The example of a subcommand path, if the table has one.
pub fn example_for(path: &str) -> Option<&'static str> {
    EXAMPLES.iter().find(|(p, _)| *p == path).map(|(_, e)| *e)
}

fn attach(cmd: Command, path: &str) -> Command {
    let mut cmd = match example_for(path) {
        Some(ex) => {
            let label = if ex.contains('\n') {
                "Examples"
            } else {
                "Example"
            };
            cmd.after_help(format!("{label}:\n  {ex}"))
        }
        None => cmd,
    };
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for n in names {
        let sub = if path.is_empty() {
            n.clone()
        } else {
            format!("{path} {n}")
        };
        cmd = cmd.mut_subcommand(&n, |s| attach(s, &sub));
    }
    cmd
}

/// The command tree of `C` with every subcommand's example attached.
pub fn command<C: CommandFactory>() -> Command {
    attach(C::command(), "")
}
