using System.Security.Cryptography;
using System.Text;
using Anvil.Galaxy;
using Anvil.Galaxy.Archives;
using Anvil.Galaxy.Metadata;

namespace Anvil.Registry.Importing;

/// <summary>A content item of a collection (a module, another plugin, a role), as Galaxy lists them.</summary>
public sealed record ContentItem(string Name, string ContentType);

/// <summary>What an import found. When <see cref="Succeeded"/>, <see cref="Info"/> and the rest describe the
/// artifact at <see cref="ArtifactPath"/>; otherwise <see cref="ErrorDescription"/> says why it was refused.</summary>
public sealed record ImportResult
{
    /// <summary>What the checks reported, in order (the import's log); each message names the file and field it is
    /// about.</summary>
    public required IReadOnlyList<ImportMessage> Log { get; init; }

    /// <summary>Whether the artifact passed every check.</summary>
    public bool Succeeded => ErrorDescription is null;

    /// <summary>Galaxy's error code: <c>ImporterError</c> for a refused artifact.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>Why the artifact was refused; null when it passed.</summary>
    public string? ErrorDescription { get; init; }

    /// <summary>The uploaded bytes as written to disk (removed by the importer when the import failed).</summary>
    public required string ArtifactPath { get; init; }

    /// <summary>The artifact's SHA-256 in lower-case hex.</summary>
    public string Sha256 { get; init; } = "";

    /// <summary>The artifact's size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>MANIFEST.json's <c>collection_info</c>, when it could be read.</summary>
    public CollectionInfo? Info { get; init; }

    /// <summary>MANIFEST.json's exact bytes.</summary>
    public byte[]? ManifestBytes { get; init; }

    /// <summary>The README's text, when present and no larger than <see cref="ImportOptions.MaxReadmeBytes"/>.</summary>
    public string? Readme { get; init; }

    /// <summary><c>requires_ansible</c> from <c>meta/runtime.yml</c>, if any.</summary>
    public string? RequiresAnsible { get; init; }

    /// <summary>The modules, roles and other plugins the artifact holds.</summary>
    public IReadOnlyList<ContentItem> Contents { get; init; } = [];
}

/// <summary>Limits of an import.</summary>
public sealed record ImportOptions
{
    /// <summary>How much the artifact may unpack to (bombs are refused). Default: the client's limits.</summary>
    public ExtractionLimits Limits { get; init; } = ExtractionLimits.Default;

    /// <summary>Largest README kept for display. Default: 1 MiB.</summary>
    public int MaxReadmeBytes { get; init; } = 1 << 20;

    /// <summary>The clock for the times in the import log. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// Checks an uploaded collection artifact as a Galaxy server's import does, writing every finding to the log: the
/// file name is <c>NAMESPACE-NAME-VERSION.tar.gz</c> and matches MANIFEST.json; the sha256 the client sent matches
/// the bytes; the archive is safe and whole (the client's own extraction: no absolute or <c>..</c> paths, no links
/// leaving the collection, no special files, no bombs, every FILES.json entry present with its checksum) and
/// MANIFEST.json's checksum of FILES.json holds; the metadata follows <see cref="CollectionRules"/>; role names follow
/// the collection role rule. Extraction happens only in a temporary directory below the staging folder, which is
/// removed afterwards.
/// </summary>
public static class CollectionImporter
{
    /// <summary>Galaxy's error code for an artifact that failed its checks.</summary>
    public const string ImporterError = "ImporterError";

    /// <summary>Writes <paramref name="upload"/> into <paramref name="stagingDirectory"/> (hashing it on the way),
    /// then checks it. On failure the written file is removed.</summary>
    public static async Task<ImportResult> ImportAsync(Stream upload, string filename, string? expectedSha256,
        string stagingDirectory, ImportOptions? options = null, CancellationToken ct = default)
    {
        var (path, sha, size) = await StageAsync(upload, stagingDirectory, ct).ConfigureAwait(false);
        var result = Check(path, filename, expectedSha256, sha, size, options ?? new ImportOptions(), ct);
        if (!result.Succeeded)
        {
            TryDelete(path);
        }
        return result;
    }

    /// <summary>Writes <paramref name="upload"/> to a new file in <paramref name="stagingDirectory"/>, hashing it on
    /// the way; returns the file, its sha256 and size. Nothing stays behind when reading or writing fails.</summary>
    public static async Task<(string Path, string Sha256, long Size)> StageAsync(Stream upload, string stagingDirectory, CancellationToken ct = default)
    {
        Directory.CreateDirectory(stagingDirectory);
        var path = Path.Combine(stagingDirectory, Guid.NewGuid().ToString("N") + ".tar.gz");
        try
        {
            await using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Options = FileOptions.Asynchronous,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            });
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            int n;
            long size = 0;
            while ((n = await upload.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                await file.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                size += n;
            }
            return (path, Convert.ToHexStringLower(hash.GetHashAndReset()), size);
        }
        catch
        {
            TryDelete(path);
            throw;
        }
    }

    /// <summary>Checks an artifact already on disk (<paramref name="sha256"/> and <paramref name="size"/> are its
    /// own). Does not remove it.</summary>
    public static ImportResult Check(string path, string filename, string? expectedSha256, string sha256, long size,
        ImportOptions options, CancellationToken ct = default)
    {
        var log = new List<ImportMessage>();
        var time = options.Time;
        void Info(string m) => log.Add(new ImportMessage(ImportMessage.Info, m, time.GetUtcNow()));
        void Warn(string m) => log.Add(new ImportMessage(ImportMessage.Warning, m, time.GetUtcNow()));
        ImportResult Fail(string description, IEnumerable<string>? errors = null)
        {
            foreach (var e in errors ?? [description])
            {
                log.Add(new ImportMessage(ImportMessage.Error, e, time.GetUtcNow()));
            }
            return new ImportResult
            {
                Log = log,
                ErrorCode = ImporterError,
                ErrorDescription = description,
                ArtifactPath = path,
                Sha256 = sha256,
                Size = size,
            };
        }

        Info($"Importing {filename} ({size:N0} bytes, sha256 {sha256})");
        if (CollectionRules.ParseFilename(filename) is not { } named)
        {
            return Fail($"{filename}: the file name must be NAMESPACE-NAME-VERSION.tar.gz with a semantic version (as 'collection build' names it)");
        }
        if (!string.IsNullOrEmpty(expectedSha256) && !string.Equals(expectedSha256.Trim(), sha256, StringComparison.OrdinalIgnoreCase))
        {
            return Fail($"{filename}: the expected sha256 checksum does not match (sent {expectedSha256.Trim()}, received bytes hash to {sha256})");
        }

        var extractTo = Path.Combine(Path.GetDirectoryName(path)!, "check-" + Guid.NewGuid().ToString("N"));
        try
        {
            ArtifactManifests manifests;
            try
            {
                manifests = CollectionArchive.Extract(path, extractTo, options.Limits,
                    w => Warn(w.Replace(path, filename, StringComparison.Ordinal)), ct);
            }
            catch (GalaxyException e)
            {
                return Fail(e.Message.Replace(path, filename, StringComparison.Ordinal).Replace(extractTo, filename, StringComparison.Ordinal));
            }
            var files = manifests.Files.Files;
            Info($"Checked FILES.json: {files.Count(f => !f.IsDir)} files and {files.Count(f => f.IsDir && f.Name != ".")} directories, every checksum matches");

            var errors = new List<string>();
            var fm = manifests.Manifest.FileManifestFile;
            var filesSha = Convert.ToHexStringLower(SHA256.HashData(manifests.FilesBytes));
            if (fm.Name != ManifestJson.FilesFileName)
            {
                errors.Add($"MANIFEST.json: file_manifest_file.name: '{fm.Name}', expected 'FILES.json'");
            }
            if (!string.Equals(fm.ChksumSha256, filesSha, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"MANIFEST.json: file_manifest_file.chksum_sha256: {fm.ChksumSha256 ?? "null"} does not match FILES.json (sha256 {filesSha})");
            }
            var info = manifests.Manifest.Info;
            foreach (var (field, fromName, fromManifest) in new[]
                     { ("namespace", named.Namespace, info.Namespace), ("name", named.Name, info.Name), ("version", named.Version, info.Version) })
            {
                if (fromName != fromManifest)
                {
                    errors.Add($"{filename}: the file name says {field} '{fromName}' but MANIFEST.json: collection_info.{field} is '{fromManifest}'");
                }
            }
            var listed = new HashSet<string>(files.Where(f => !f.IsDir).Select(f => f.Name), StringComparer.Ordinal);
            errors.AddRange(CollectionRules.Check(info, ManifestJson.ManifestFileName, listed.Contains).Select(p => p.ToString()));
            foreach (var role in files.Where(f => f.IsDir && f.Name.StartsWith("roles/", StringComparison.Ordinal) && f.Name.Count(c => c == '/') == 1))
            {
                var roleName = role.Name["roles/".Length..];
                if (CollectionRules.RoleNameViolation(roleName) is { } why)
                {
                    errors.Add($"{role.Name}: invalid role name '{roleName}': {why}");
                }
            }
            if (errors.Count > 0)
            {
                return Fail(errors.Count == 1 ? errors[0] : $"{errors[0]} (and {errors.Count - 1} more problem(s), see the import log)", errors);
            }

            var requiresAnsible = RequiresAnsible(extractTo, Warn);
            var readme = ReadText(Path.Combine(extractTo, info.Readme!), options.MaxReadmeBytes, info.Readme!, Warn);
            var contents = Contents(files);
            Info($"Found {contents.Count} content item(s): {string.Join(", ", contents.GroupBy(c => c.ContentType).Select(g => $"{g.Count()} {g.Key}"))}".TrimEnd(':', ' '));
            Info($"Imported {info.Namespace}.{info.Name} {info.Version}");
            return new ImportResult
            {
                Log = log,
                ArtifactPath = path,
                Sha256 = sha256,
                Size = size,
                Info = info,
                ManifestBytes = manifests.ManifestBytes,
                Readme = readme,
                RequiresAnsible = requiresAnsible,
                Contents = contents,
            };
        }
        finally
        {
            TryDeleteTree(extractTo);
        }
    }

    /// <summary><c>requires_ansible</c> from <c>meta/runtime.yml</c>; a warning when missing (the public Galaxy
    /// requires it; clients of 2.14 ignore it).</summary>
    private static string? RequiresAnsible(string root, Action<string> warn)
    {
        var path = Path.Combine(root, "meta", "runtime.yml");
        if (!File.Exists(path))
        {
            warn("meta/runtime.yml: missing; requires_ansible is not set (Ansible will not know which versions the collection supports)");
            return null;
        }
        try
        {
            if (Yaml11.Load(File.ReadAllText(path)) is YamlMapping m && m["requires_ansible"] is YamlScalar { IsNull: false } s)
            {
                return s.Text;
            }
            warn("meta/runtime.yml: requires_ansible is not set");
        }
        catch (YamlSyntaxException e)
        {
            warn($"meta/runtime.yml:{e.Line}: not valid YAML ({e.Message})");
        }
        return null;
    }

    private static string? ReadText(string path, int max, string name, Action<string> warn)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length > max)
        {
            warn($"{name}: larger than {max:N0} bytes; only the start is shown");
            bytes = bytes[..max];
        }
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Modules, other plugins and roles, from the file list (what galaxy-importer lists as contents).</summary>
    public static List<ContentItem> Contents(IEnumerable<FileEntry> files)
    {
        var items = new List<ContentItem>();
        foreach (var f in files)
        {
            var parts = f.Name.Split('/');
            if (f.IsDir && parts is ["roles", var role])
            {
                items.Add(new ContentItem(role, "role"));
            }
            else if (!f.IsDir && parts is ["plugins", var type, .., var file] && parts.Length >= 3 && type != "__pycache__" &&
                     (file.EndsWith(".py", StringComparison.Ordinal) || file.EndsWith(".ps1", StringComparison.Ordinal)) &&
                     file != "__init__.py")
            {
                var name = string.Join('.', parts[2..^1].Append(Path.GetFileNameWithoutExtension(file)));
                items.Add(new ContentItem(name, type == "modules" ? "module" : type));
            }
        }
        return items.DistinctBy(i => (i.Name, i.ContentType)).OrderBy(i => i.ContentType, StringComparer.Ordinal)
            .ThenBy(i => i.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Removes a file if it is there (a staged upload that will not be kept).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void TryDeleteTree(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
