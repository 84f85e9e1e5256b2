using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Anvil.Galaxy.Metadata;

namespace Anvil.Galaxy.Tests;

/// <summary>ansible-galaxy as the tests run it (the general program runner and <c>Tools.Require</c> are in
/// Anvil.TestSupport).</summary>
internal static class GalaxyTools
{
    /// <summary>ansible-galaxy with a private home (no user config, cache or token), failing the test on error.</summary>
    public static async Task<string> AnsibleGalaxyAsync(string home, string? cwd, params string[] args)
    {
        var (code, output, error) = await Tools.RunAsync("ansible-galaxy", args, cwd, AnsibleEnvironment(home));
        Assert.True(code == 0, $"ansible-galaxy {string.Join(' ', args)} exited {code}:\n{output}\n{error}");
        return output;
    }

    public static Dictionary<string, string?> AnsibleEnvironment(string home) => new()
    {
        ["HOME"] = home,
        ["ANSIBLE_HOME"] = Path.Combine(home, ".ansible"),
        ["ANSIBLE_CONFIG"] = Path.Combine(home, "ansible.cfg"),
        ["ANSIBLE_NOCOLOR"] = "1",
        ["ANSIBLE_GALAXY_DISPLAY_PROGRESS"] = "false",
    };
}

/// <summary>A collection source tree written file by file for a test.</summary>
internal sealed class SourceCollection
{
    public SourceCollection(string root, string ns = "acme", string name = "demo", string version = "1.0.0", string? extraYaml = null,
        IReadOnlyDictionary<string, string>? dependencies = null)
    {
        Root = root;
        Directory.CreateDirectory(root);
        var deps = dependencies is null || dependencies.Count == 0
            ? "dependencies: {}\n"
            : "dependencies:\n" + string.Concat(dependencies.Select(d => $"  {d.Key}: '{d.Value}'\n"));
        File.WriteAllText(Path.Combine(root, "galaxy.yml"),
            $"namespace: {ns}\nname: {name}\nversion: {version}\nreadme: README.md\nauthors:\n- Test Author <test@example.com>\n" +
            "description: a collection for tests\nlicense:\n- GPL-3.0-or-later\ntags: [testing]\n" + deps +
            "repository: https://example.com/repo\n" + (extraYaml ?? ""));
        Write("README.md", $"# {ns}.{name}\n");
        Write("meta/runtime.yml", "requires_ansible: '>=2.14.0'\n");
    }

    public string Root { get; }

    public SourceCollection Write(string relative, string content, bool executable = false)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (executable)
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        return this;
    }

    public SourceCollection Dir(string relative)
    {
        Directory.CreateDirectory(Path.Combine(Root, relative));
        return this;
    }

    public SourceCollection Link(string relative, string target)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
        return this;
    }

    /// <summary>A module that answers with its arguments, usable by FQCN from a playbook.</summary>
    public SourceCollection EchoModule(string name = "echo") => Write($"plugins/modules/{name}.py", """
        #!/usr/bin/python
        from ansible.module_utils.basic import AnsibleModule

        def main():
            module = AnsibleModule(argument_spec=dict(msg=dict(type='str', default='hi')))
            module.exit_json(changed=False, echoed=module.params['msg'])

        if __name__ == '__main__':
            main()
        """);
}

/// <summary>Crafts artifacts member by member, including the malicious kinds the installer must refuse.</summary>
internal sealed class CraftedArtifact
{
    private readonly List<TarEntry> _entries = [];
    private readonly List<FileEntry> _files = [FileEntry.Directory(".")];

    public string Namespace { get; init; } = "acme";

    public string Name { get; init; } = "evil";

    public string Version { get; init; } = "1.0.0";

    /// <summary>A file member; listed in FILES.json with <paramref name="listedContent"/>'s checksum (default: the
    /// real content).</summary>
    public CraftedArtifact File(string name, string content, string? listedContent = null, bool list = true, int mode = 0b110_100_100)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        _entries.Add(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes), Mode = (UnixFileMode)mode });
        if (list)
        {
            _files.Add(FileEntry.RegularFile(name, Sha(Encoding.UTF8.GetBytes(listedContent ?? content))));
        }
        return this;
    }

    public CraftedArtifact Dir(string name, bool list = true)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0b111_101_101 });
        if (list)
        {
            _files.Add(FileEntry.Directory(name));
        }
        return this;
    }

    /// <summary>A symlink member, listed as a file whose checksum is <paramref name="listedContent"/>'s.</summary>
    public CraftedArtifact Symlink(string name, string target, string listedContent = "", bool asDir = false)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target });
        _files.Add(asDir ? FileEntry.Directory(name) : FileEntry.RegularFile(name, Sha(Encoding.UTF8.GetBytes(listedContent))));
        return this;
    }

    public CraftedArtifact HardLink(string name, string target, string listedContent)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target });
        _files.Add(FileEntry.RegularFile(name, Sha(Encoding.UTF8.GetBytes(listedContent))));
        return this;
    }

    public CraftedArtifact Special(string name, TarEntryType type)
    {
        var entry = new PaxTarEntry(type, name);
        if (type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
        {
            entry.DeviceMajor = 1;
            entry.DeviceMinor = 3;
        }
        _entries.Add(entry);
        _files.Add(FileEntry.RegularFile(name, Sha([])));
        return this;
    }

    /// <summary>A FILES.json entry without a member.</summary>
    public CraftedArtifact ListOnly(FileEntry entry)
    {
        _files.Add(entry);
        return this;
    }

    /// <summary>A large file of zeros (compresses about 1000:1).</summary>
    public CraftedArtifact Zeros(string name, long size)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new ZeroStream(size) });
        _files.Add(FileEntry.RegularFile(name, null));
        return this;
    }

    public string WriteTo(string dir)
    {
        Directory.CreateDirectory(dir);
        var info = new CollectionInfo
        {
            Namespace = Namespace,
            Name = Name,
            Version = Version,
            Authors = ["Mallory"],
            Readme = "README.md",
            License = ["MIT"],
        };
        var files = ManifestJson.Write(new FilesManifest(_files));
        var manifest = ManifestJson.Write(new CollectionManifest(info, FileEntry.RegularFile("FILES.json", Sha(files))));
        var path = Path.Combine(dir, $"{Namespace}-{Name}-{Version}.tar.gz");
        using var file = System.IO.File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.SmallestSize);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "MANIFEST.json") { DataStream = new MemoryStream(manifest) });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "FILES.json") { DataStream = new MemoryStream(files) });
        foreach (var e in _entries)
        {
            tar.WriteEntry(e);
        }
        return path;
    }

    public static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => _position = value;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Reads a tar.gz for comparisons: every member's type, mode, link target and content hash.</summary>
internal static class TarListing
{
    public sealed record Entry(string Name, TarEntryType Type, int Mode, string? Link, string? Sha256, long Mtime, int Uid, int Gid, string Uname, string Gname);

    public static List<Entry> Read(string tarball)
    {
        using var file = System.IO.File.OpenRead(tarball);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        var list = new List<Entry>();
        while (reader.GetNextEntry() is { } e)
        {
            string? sha = null;
            if (e.DataStream is not null)
            {
                sha = Convert.ToHexStringLower(SHA256.HashData(e.DataStream));
            }
            var (uname, gname) = e is PosixTarEntry p ? (p.UserName, p.GroupName) : ("", "");
            list.Add(new Entry(e.Name.TrimEnd('/'), e.EntryType is TarEntryType.V7RegularFile ? TarEntryType.RegularFile : e.EntryType,
                (int)e.Mode & 0b111_111_111, e.EntryType is TarEntryType.SymbolicLink ? e.LinkName : null, sha,
                e.ModificationTime.ToUnixTimeSeconds(), e.Uid, e.Gid, uname, gname));
        }
        return list;
    }

    public static byte[] Member(string tarball, string name)
    {
        using var file = System.IO.File.OpenRead(tarball);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } e)
        {
            if (e.Name == name && e.DataStream is not null)
            {
                using var ms = new MemoryStream();
                e.DataStream.CopyTo(ms);
                return ms.ToArray();
            }
        }
        throw new InvalidOperationException($"{tarball} has no {name}");
    }
}
