using System.Globalization;
using System.Text;

namespace Anvil.Galaxy.Archives;

/// <summary>
/// Writes a POSIX tar archive whose bytes depend only on what is added: every member has the same mtime, uid and
/// gid 0 and empty user and group names (as ansible-galaxy sets them). Names longer than the ustar field, or not
/// ASCII, get a PAX <c>path</c> record, as Python's tarfile does; nothing else goes into PAX headers.
/// </summary>
internal sealed class DeterministicTarWriter(Stream output, long mtime)
{
    private const int Block = 512;
    private const int Record = 20 * Block;
    private static readonly byte[] Zeros = new byte[Record];
    private long _written;

    public void AddFile(string name, int mode, ReadOnlySpan<byte> content)
    {
        Header(name, '0', mode, content.Length, "");
        output.Write(content);
        Pad(content.Length);
    }

    /// <summary>Adds a file of <paramref name="size"/> bytes read from <paramref name="content"/> (hashed into
    /// <paramref name="hash"/> on the way); fails if the stream has a different length (the file changed while
    /// building).</summary>
    public void AddFile(string name, int mode, Stream content, long size, byte[] buffer, System.Security.Cryptography.IncrementalHash? hash = null)
    {
        Header(name, '0', mode, size, "");
        long copied = 0;
        int n;
        while (copied < size && (n = content.Read(buffer, 0, (int)Math.Min(buffer.Length, size - copied))) > 0)
        {
            hash?.AppendData(buffer, 0, n);
            output.Write(buffer, 0, n);
            copied += n;
        }
        if (copied != size || content.Read(buffer, 0, 1) != 0)
        {
            throw new IOException($"'{name}' changed size while the archive was written");
        }
        Pad(size);
    }

    public void AddDirectory(string name) => Header(name, '5', 0b111_101_101, 0, "");

    public void AddSymlink(string name, string target) => Header(name, '2', 0b110_100_100, 0, target);

    /// <summary>Bytes written so far.</summary>
    public long Written => _written;

    /// <summary>Two zero blocks, then zeros up to a whole 10 KiB record (as GNU tar and Python write), counting
    /// <paramref name="preceding"/> bytes of the archive written elsewhere.</summary>
    public void Finish(long preceding = 0)
    {
        output.Write(Zeros, 0, 2 * Block);
        _written += 2 * Block;
        var rest = (int)((preceding + _written) % Record);
        if (rest != 0)
        {
            output.Write(Zeros, 0, Record - rest);
            _written += Record - rest;
        }
    }

    private void Header(string name, char type, int mode, long size, string link)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var linkBytes = Encoding.UTF8.GetBytes(link);
        var pax = new List<(string Key, byte[] Value)>();
        if (nameBytes.Length > 100 || !Ascii(nameBytes))
        {
            pax.Add(("path", nameBytes));
        }
        if (linkBytes.Length > 100 || !Ascii(linkBytes))
        {
            pax.Add(("linkpath", linkBytes));
        }
        if (pax.Count > 0)
        {
            using var records = new MemoryStream();
            foreach (var (key, value) in pax)
            {
                records.Write(PaxRecord(key, value));
            }
            var body = records.ToArray();
            WriteHeader(Encoding.ASCII.GetBytes("././@PaxHeader"), 'x', 0b110_100_100, body.Length, []);
            output.Write(body);
            Pad(body.Length);
        }
        WriteHeader(Fit(nameBytes, 100), type, mode, size, Fit(linkBytes, 100));
    }

    private static bool Ascii(byte[] bytes) => bytes.All(b => b < 0x80);

    // The ustar field keeps what fits; the PAX record has the whole value.
    private static byte[] Fit(byte[] bytes, int length) => bytes.Length <= length ? bytes : bytes[..length];

    private static byte[] PaxRecord(string key, byte[] value)
    {
        // "<length> key=value\n", where the length counts itself.
        var rest = Encoding.UTF8.GetByteCount(key) + value.Length + 3;
        var length = rest + rest.ToString(CultureInfo.InvariantCulture).Length;
        if (length.ToString(CultureInfo.InvariantCulture).Length != (length - rest))
        {
            length++;
        }
        var prefix = Encoding.ASCII.GetBytes($"{length} {key}=");
        return [.. prefix, .. value, (byte)'\n'];
    }

    private void WriteHeader(byte[] name, char type, int mode, long size, byte[] link)
    {
        Span<byte> h = stackalloc byte[Block];
        h.Clear();
        name.CopyTo(h);
        Octal(h.Slice(100, 8), mode);
        Octal(h.Slice(108, 8), 0);
        Octal(h.Slice(116, 8), 0);
        Octal(h.Slice(124, 12), size);
        Octal(h.Slice(136, 12), mtime);
        h[156] = (byte)type;
        link.CopyTo(h.Slice(157, 100));
        "ustar\0"u8.CopyTo(h.Slice(257, 6));
        "00"u8.CopyTo(h.Slice(263, 2));
        Octal(h.Slice(329, 8), 0);
        Octal(h.Slice(337, 8), 0);
        // The checksum is computed with its own field as spaces, then written as six digits, NUL, space.
        h.Slice(148, 8).Fill((byte)' ');
        var sum = 0;
        foreach (var b in h)
        {
            sum += b;
        }
        var digits = Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0'));
        digits.CopyTo(h.Slice(148, 6));
        h[154] = 0;
        h[155] = (byte)' ';
        output.Write(h);
        _written += Block;
    }

    private static void Octal(Span<byte> field, long value)
    {
        var text = Convert.ToString(value, 8).PadLeft(field.Length - 1, '0');
        if (text.Length > field.Length - 1)
        {
            throw new IOException("a tar header value is too large");
        }
        Encoding.ASCII.GetBytes(text).CopyTo(field);
        field[^1] = 0;
    }

    private void Pad(long size)
    {
        _written += size;
        var rest = (int)(size % Block);
        if (rest != 0)
        {
            output.Write(Zeros, 0, Block - rest);
            _written += Block - rest;
        }
    }
}
