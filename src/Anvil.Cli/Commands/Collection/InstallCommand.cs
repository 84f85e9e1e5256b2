using System.CommandLine;
using System.Diagnostics;
using Anvil.Galaxy.Installing;
using Anvil.Galaxy.Servers;

namespace Anvil.Cli.Commands.Collection;

/// <summary><c>anvil collection install</c> and <c>download</c>.</summary>
internal static class InstallCommand
{
    private sealed class Common
    {
        public Argument<string[]> Args { get; } = CollectionCli.NoOptions(new Argument<string[]>("collection")
        {
            Description = "NAMESPACE.NAME[:RANGE], a tarball, a collection directory or a URL",
            Arity = ArgumentArity.ZeroOrMore,
        });

        public Option<string?> Requirements { get; } = new("--requirements-file", "-r")
        {
            Description = "a requirements.yml with a 'collections:' list",
            HelpName = "FILE",
        };

        public Option<bool> NoDeps { get; } = new("--no-deps", "-n") { Description = "do not follow dependencies" };

        public Option<bool> Pre { get; } = new("--pre") { Description = "allow pre-release versions" };

        public Option<bool> NoCache { get; } = new("--no-cache") { Description = "accepted for ansible-galaxy compatibility (Anvil keeps no response cache)" };

        public Option<bool> ClearResponseCache { get; } = new("--clear-response-cache") { Description = "accepted for ansible-galaxy compatibility" };

        public GalaxyServerOptions Servers { get; } = new();
    }

    public static Command Install()
    {
        var c = new Common();
        var path = new Option<string?>("--collections-path", "-p")
        {
            Description = "where to install (ansible_collections/ is appended; default: the first of COLLECTIONS_PATHS)",
            HelpName = "PATH",
        };
        var force = new Option<bool>("--force", "-f") { Description = "reinstall the requested collections even if installed" };
        var forceWithDeps = new Option<bool>("--force-with-deps") { Description = "reinstall the requested collections and their dependencies" };
        var upgrade = new Option<bool>("--upgrade", "-U") { Description = "upgrade installed collections (and dependencies, unless --no-deps)" };
        var offline = new Option<bool>("--offline") { Description = "contact no server: tarballs, directories and what is installed only" };
        var ignoreErrors = new Option<bool>("--ignore-errors", "-i") { Description = "go on with the other collections when one fails" };
        var disableGpg = new Option<bool>("--disable-gpg-verify") { Description = "accepted for ansible-galaxy compatibility (Anvil does not check GnuPG signatures)" };
        var keyring = new Option<string?>("--keyring") { Description = "not supported: Anvil does not check GnuPG signatures yet", HelpName = "FILE" };
        var command = new Command("install", "Install collections (with their dependencies) from Galaxy servers, tarballs, directories or URLs.")
        {
            c.Args, c.Requirements, path, force, forceWithDeps, upgrade, c.NoDeps, offline, c.Pre, ignoreErrors, c.NoCache,
            c.ClearResponseCache, disableGpg, keyring,
        };
        foreach (var o in c.Servers.All)
        {
            command.Options.Add(o);
        }
        GroupedHelp.Apply(command, "anvil collection install (NAMESPACE.NAME[:RANGE] | TARBALL | DIR | URL)... | -r FILE [options]",
            ("What to install", [c.Requirements, path, c.NoDeps, c.Pre, upgrade, force, forceWithDeps, offline, ignoreErrors]),
            ("Servers", [.. c.Servers.All, c.NoCache, c.ClearResponseCache, disableGpg, keyring]));
        command.SetAction((parse, ct) => CollectionCli.RunAsync(parse, async (output, error) =>
        {
            if (parse.GetValue(c.NoDeps) && parse.GetValue(forceWithDeps))
            {
                throw new Galaxy.GalaxyException("--no-deps and --force-with-deps are mutually exclusive");
            }
            if (parse.GetValue(keyring) is not null)
            {
                CollectionCli.Warn(error, "--keyring: GnuPG signatures are not verified by anvil collection install; artifacts are checked by sha256 only");
            }
            var sw = Stopwatch.StartNew();
            var config = AnsibleConfig.Load();
            var servers = c.Servers.Resolve(parse, config);
            var requirements = CollectionCli.Requirements(parse.GetValue(c.Args) ?? [], parse.GetValue(c.Requirements), servers,
                !parse.GetValue(c.Servers.IgnoreCerts), error);
            var configured = config.CollectionsPaths;
            var target = Path.GetFullPath(parse.GetValue(path) ?? configured.FirstOrDefault() ?? "~/.ansible/collections");
            if (!configured.Any(p => p.StartsWith(target, StringComparison.Ordinal)))
            {
                CollectionCli.Warn(error, $"The specified collections path '{target}' is not part of the configured Ansible collections paths " +
                                          $"'{string.Join(':', configured)}'. The installed collection will not be picked up in an Ansible run, " +
                                          "unless within a playbook-adjacent collections directory.");
            }
            var clients = parse.GetValue(offline) ? [] : servers.Select(s => new GalaxyClient(s)).ToList();
            try
            {
                using var store = new CollectionArtifactStore(CollectionCli.CacheDirectory, !parse.GetValue(c.Servers.IgnoreCerts));
                var options = new InstallOptions
                {
                    CollectionsPath = target,
                    Force = parse.GetValue(force),
                    ForceWithDependencies = parse.GetValue(forceWithDeps),
                    Upgrade = parse.GetValue(upgrade),
                    NoDependencies = parse.GetValue(c.NoDeps),
                    Offline = parse.GetValue(offline),
                    AllowPrereleases = parse.GetValue(c.Pre),
                    IgnoreErrors = parse.GetValue(ignoreErrors),
                };
                var result = await ProgressReport.RunAsync(output, error, report =>
                    new CollectionInstaller(clients, store, report).InstallAsync(requirements, options, ct));
                if (!result.NothingToDo)
                {
                    var root = InstalledCollections.CollectionsRoot(target);
                    var extra = result.AlreadyInstalled.Count > 0 ? $", {result.AlreadyInstalled.Count} already installed" : "";
                    var cached = store.CacheHits > 0 ? $", {store.CacheHits} from the cache" : "";
                    await output.WriteLineAsync($"Installed {result.Installed.Count} collection(s) into {root}{extra}{cached} in {CollectionCli.Elapsed(sw)}");
                }
                return result.Failed.Count > 0 ? AnvilCommandLine.InputError : 0;
            }
            finally
            {
                clients.ForEach(x => x.Dispose());
            }
        }));
        return command;
    }

    public static Command Download()
    {
        var c = new Common();
        var path = new Option<string>("--download-path", "-p")
        {
            Description = "where the tarballs and requirements.yml go (default: ./collections)",
            HelpName = "DIR",
            DefaultValueFactory = _ => "./collections",
        };
        var command = new Command("download", "Download collections and their dependencies as tarballs, with a requirements.yml for a later 'install -r requirements.yml --offline'.")
        {
            c.Args, c.Requirements, path, c.NoDeps, c.Pre, c.NoCache, c.ClearResponseCache,
        };
        foreach (var o in c.Servers.All)
        {
            command.Options.Add(o);
        }
        GroupedHelp.Apply(command, "anvil collection download (NAMESPACE.NAME[:RANGE] | TARBALL | DIR | URL)... | -r FILE [-p DIR] [options]",
            ("What to download", [c.Requirements, path, c.NoDeps, c.Pre]),
            ("Servers", [.. c.Servers.All, c.NoCache, c.ClearResponseCache]));
        command.SetAction((parse, ct) => CollectionCli.RunAsync(parse, async (output, error) =>
        {
            var sw = Stopwatch.StartNew();
            var config = AnsibleConfig.Load();
            var servers = c.Servers.Resolve(parse, config);
            var requirements = CollectionCli.Requirements(parse.GetValue(c.Args) ?? [], parse.GetValue(c.Requirements), servers,
                !parse.GetValue(c.Servers.IgnoreCerts), error);
            var clients = servers.Select(s => new GalaxyClient(s)).ToList();
            try
            {
                using var store = new CollectionArtifactStore(CollectionCli.CacheDirectory, !parse.GetValue(c.Servers.IgnoreCerts));
                var target = Path.GetFullPath(parse.GetValue(path)!);
                var files = await ProgressReport.RunAsync(output, error, report =>
                    new CollectionInstaller(clients, store, report).DownloadAsync(requirements, target, parse.GetValue(c.NoDeps), parse.GetValue(c.Pre), ct));
                await output.WriteLineAsync($"Downloaded {files.Count} collection(s) into {target} in {CollectionCli.Elapsed(sw)}; " +
                                            $"install them with: anvil collection install -r {Path.Combine(target, "requirements.yml")} --offline");
                return 0;
            }
            finally
            {
                clients.ForEach(x => x.Dispose());
            }
        }));
        return command;
    }
}
