using Build.Configuration;
using Build.Ops.Doctor;
using Build.Tools.Compose;

namespace Build.Tests.Ops;

public sealed class DoctorCheckTests
{
    [TestCase("10.0.100", "latestFeature", "10.0.401", true)]
    [TestCase("10.0.100", "latestFeature", "10.1.100", false)]
    [TestCase("10.0.100", "latestFeature", "9.0.300", false)]
    [TestCase("10.0.100", "latestPatch", "10.0.105", true)]
    [TestCase("10.0.100", "latestPatch", "10.0.200", false)]
    [TestCase("10.0.100", "latestMajor", "11.0.100", true)]
    [TestCase("10.0.100", "disable", "10.0.101", false)]
    [TestCase("10.0.100", "disable", "10.0.100", true)]
    [TestCase("10.0.100", "latestFeature", "10.0.100-rc.2", false)]
    public void The_SDK_roll_forward_policy_decides_which_installed_SDK_satisfies_global_json(string pinned, string rollForward, string installed, bool satisfies) =>
        Assert.That(SdkCheck.Satisfies(pinned, rollForward, installed), Is.EqualTo(satisfies));

    [Test]
    public void An_unsatisfied_global_json_fails_without_blocking_DevUp_and_says_how_to_get_the_SDK()
    {
        var check = SdkCheck.Evaluate(("10.0.100", "latestFeature"), SdkCheck.ParseListSdks("8.0.404 [/usr/share/dotnet/sdk]\n9.0.100 [/usr/share/dotnet/sdk]\n"), localInstall: false);

        Assert.That(check.Status, Is.EqualTo(CheckStatus.Fail));
        Assert.That(check.BlocksDevUp, Is.False);
        Assert.That(check.Detail, Does.Contain("installed: 8.0.404, 9.0.100"));
        Assert.That(check.Fix, Does.Contain("./build.sh installs SDK 10.0.100 into .dotnet/"));
    }

    [Test]
    public void An_unreachable_engine_blocks_DevUp_names_the_socket_and_how_to_start_it()
    {
        var check = MachineChecks.EvaluateEngine(false, null, "Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?", "unix:///nonexistent.sock");

        Assert.That(check.BlocksDevUp, Is.True);
        Assert.That(check.Detail, Does.StartWith("not reachable at DOCKER_HOST=unix:///nonexistent.sock: Cannot connect"));
        Assert.That(check.Fix, Does.Contain("systemctl start docker").And.Contain("unset DOCKER_HOST"));
    }

    [Test]
    public void No_docker_CLI_blocks_DevUp_and_points_at_onboarding()
    {
        var check = MachineChecks.EvaluateEngine(true, null, null, null);
        Assert.That(check.BlocksDevUp, Is.True);
        Assert.That(check.Fix, Does.Contain("scripts/onboard.sh --yes"));
    }

    [Test]
    public void Compose_v1_alone_warns_with_what_it_lacks_and_none_blocks()
    {
        var v1 = new ComposeVersion(ComposeFlavor.V1, "1.29.2");
        var onlyV1 = MachineChecks.EvaluateCompose(null, v1);
        Assert.That(onlyV1.Status, Is.EqualTo(CheckStatus.Warn));
        Assert.That(onlyV1.Detail, Does.Contain("no 'up --wait'").And.Contain("compose.yaml"));
        Assert.That(MachineChecks.EvaluateCompose(new ComposeVersion(ComposeFlavor.V2, "2.26.1"), v1).Status, Is.EqualTo(CheckStatus.Ok));
        Assert.That(MachineChecks.EvaluateCompose(null, null).BlocksDevUp, Is.True);
    }

    [Test]
    public void Missing_buildx_blocks_only_a_client_that_would_fall_back_to_the_legacy_builder()
    {
        Assert.That(MachineChecks.EvaluateBuildx(null, "28.2.2").BlocksDevUp, Is.True);
        Assert.That(MachineChecks.EvaluateBuildx(null, "20.10.24+dfsg1").Status, Is.EqualTo(CheckStatus.Warn));
        Assert.That(MachineChecks.EvaluateBuildx("github.com/docker/buildx 0.13.1", "28.2.2").Status, Is.EqualTo(CheckStatus.Ok));
    }

    [Test]
    public void Disk_below_the_minimum_blocks_below_the_warning_level_warns_and_unknown_is_skipped()
    {
        Assert.That(MachineChecks.EvaluateDisk("/var/lib/docker", 1_000_000_000, 2, 10).BlocksDevUp, Is.True);
        Assert.That(MachineChecks.EvaluateDisk("/var/lib/docker", 5_000_000_000, 2, 10).Status, Is.EqualTo(CheckStatus.Warn));
        Assert.That(MachineChecks.EvaluateDisk("/var/lib/docker", 50_000_000_000, 2, 10).Status, Is.EqualTo(CheckStatus.Ok));
        Assert.That(MachineChecks.EvaluateDisk(null, null, 2, 10).Status, Is.EqualTo(CheckStatus.Skipped));
    }

    [Test]
    public void A_busy_port_blocks_and_names_its_holder()
    {
        var check = MachineChecks.EvaluatePorts([5432, 8080], ["Port 127.0.0.1:5432 (service db, POSTGRES_PORT) is in use by process 'postgres' (pid 42)."], "sample-dev");
        Assert.That(check.BlocksDevUp, Is.True);
        Assert.That(check.Detail, Does.Contain("process 'postgres' (pid 42)"));
        Assert.That(check.Fix, Does.Contain("--port-offset="));
    }

    [Test]
    public void Gcloud_problems_are_warnings_only_deploy_needs_it()
    {
        var missing = MachineChecks.EvaluateGcloud(null, null, null);
        var unauthenticated = MachineChecks.EvaluateGcloud("Google Cloud SDK 528.0.0", null, null);
        Assert.That(missing.Concat(unauthenticated).Any(c => c.BlocksDevUp), Is.False);
        Assert.That(unauthenticated.Select(c => c.Status), Is.EqualTo(new[] { CheckStatus.Ok, CheckStatus.Warn, CheckStatus.Warn }));
        Assert.That(unauthenticated[1].Fix, Does.Contain("gcloud auth login"));
        Assert.That(unauthenticated[2].Fix, Does.Contain("gcloud config set project"));
    }

    [Test]
    public void An_older_psql_than_the_server_warns_with_the_client_to_install()
    {
        var major = MachineChecks.PostgresMajor(["PATH=/usr/bin", "PG_MAJOR=16"], "kit-offline/postgres:15");
        var check = MachineChecks.EvaluatePostgres("psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", major, "image x");
        Assert.That(major, Is.EqualTo(16), "PG_MAJOR wins over the tag");
        Assert.That(check.Status, Is.EqualTo(CheckStatus.Warn));
        Assert.That(check.Fix, Does.Contain("postgresql-client-16"));
        Assert.That(MachineChecks.PostgresMajor([], "postgres:15"), Is.EqualTo(15));
        Assert.That(MachineChecks.PostgresMajor([], "registry:5000/postgres"), Is.Null);
        Assert.That(MachineChecks.EvaluatePostgres("psql (PostgreSQL) 16.2", 15, "image x").Status, Is.EqualTo(CheckStatus.Ok));
    }

    [Test]
    public void The_report_prints_a_fix_under_each_problem_and_only_blockers_fail_the_run()
    {
        DoctorCheck[] checks =
        [
            DoctorCheck.Ok("git", "git version 2.39.5"),
            DoctorCheck.Warn("gcloud", "no active account", "gcloud auth login"),
            DoctorCheck.Blocker("Docker engine", "not reachable", "start it"),
        ];

        var lines = DoctorReport.Render(checks);

        Assert.That(lines[0], Does.Match(@"^  ok\s+git\s+git version"));
        Assert.That(lines[2], Does.Contain("fix: gcloud auth login"));
        Assert.That(lines[4], Does.Contain("fix: start it"));
        Assert.That(lines[^1], Is.EqualTo("Doctor: 1 ok, 1 warning(s), 1 failed, 0 skipped. Blocking DevUp: Docker engine."));
        var failure = Assert.Throws<DoctorFailedException>(() => DoctorReport.ThrowIfBlocked(checks));
        Assert.That(failure!.ExitCode, Is.EqualTo(1));
        Assert.DoesNotThrow(() => DoctorReport.ThrowIfBlocked(checks[..2]));
    }
}

public sealed class EnvFileCheckTests
{
    private static readonly DotEnvFile Example = DotEnvFile.Parse("""
        # comment
        API_PORT=8080
        POSTGRES_USER=app
        POSTGRES_PASSWORD=change-me-dev-only
        PGADMIN_PASSWORD=change-me-dev-only
        SOURCE_URL=
        """, ".env.example");

    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Test]
    public void No_env_file_blocks_when_a_required_variable_is_set_nowhere()
    {
        var checks = EnvFileCheck.Evaluate(Example, null, ["POSTGRES_PASSWORD"], NoEnvironment);
        Assert.That(checks.Single().BlocksDevUp, Is.True);
        Assert.That(checks.Single().Detail, Does.Contain("POSTGRES_PASSWORD"));
        Assert.That(checks.Single().Fix, Does.Contain("scripts/onboard.sh"));

        var fromEnvironment = EnvFileCheck.Evaluate(Example, null, ["POSTGRES_PASSWORD"], new Dictionary<string, string?> { ["POSTGRES_PASSWORD"] = "x" });
        Assert.That(fromEnvironment.Single().Status, Is.EqualTo(CheckStatus.Warn));
    }

    [Test]
    public void Missing_keys_warn_with_their_lines_missing_required_ones_block_placeholders_warn()
    {
        var env = DotEnvFile.Parse("POSTGRES_USER=app\nPGADMIN_PASSWORD=change-me-dev-only\n");

        var checks = EnvFileCheck.Evaluate(Example, env, ["POSTGRES_PASSWORD"], NoEnvironment);

        Assert.That(checks[0].BlocksDevUp, Is.True);
        Assert.That(checks[0].Fix, Does.Contain("line 4 of .env.example"));
        Assert.That(checks[1].Detail, Does.Contain("API_PORT, SOURCE_URL"));
        Assert.That(checks[1].Fix, Does.Contain("lines 2, 6"));
        Assert.That(checks[2].Detail, Is.EqualTo("still the example's placeholder: PGADMIN_PASSWORD"));
    }

    [Test]
    public void A_complete_env_file_is_ok()
    {
        var env = DotEnvFile.Parse("API_PORT=8080\nPOSTGRES_USER=app\nPOSTGRES_PASSWORD=abc\nPGADMIN_PASSWORD=def\nSOURCE_URL=\n");
        Assert.That(EnvFileCheck.Evaluate(Example, env, ["POSTGRES_PASSWORD"], NoEnvironment).Single().Status, Is.EqualTo(CheckStatus.Ok));
    }

    [Test]
    public void An_app_secret_written_as_a_placeholder_is_generated_and_an_empty_or_issued_one_is_left()
    {
        var text = "DJANGO_SECRET_KEY=change-me-dev-only\nAWS_SECRET_ACCESS_KEY=\nEMBEDDING_API_KEY=\nGITHUB_TOKEN=<your token>\nJWT_SECRET=real-secret-1\n";

        Assert.That(EnvFileCheck.GeneratedKeys(DotEnvFile.Parse(text)), Is.EqualTo(new[] { "DJANGO_SECRET_KEY" }));
    }

    [Test]
    public void Generation_replaces_only_placeholder_passwords_and_keeps_every_other_line()
    {
        var text = "# keep me\nPOSTGRES_PASSWORD=change-me-dev-only\nexport PGADMIN_PASSWORD=\nREDIS_PASSWORD_FILE_HINT=real-value\nAPI_PORT=8080\n";
        var keys = EnvFileCheck.GeneratedKeys(DotEnvFile.Parse(text));

        var generated = EnvFileCheck.Generate(text, keys.ToHashSet(), key => "generated-" + key.Length);

        Assert.That(keys, Is.EqualTo(new[] { "POSTGRES_PASSWORD", "PGADMIN_PASSWORD" }));
        Assert.That(generated, Is.EqualTo("# keep me\nPOSTGRES_PASSWORD=generated-17\nexport PGADMIN_PASSWORD=generated-16\nREDIS_PASSWORD_FILE_HINT=real-value\nAPI_PORT=8080\n"));
    }
}
