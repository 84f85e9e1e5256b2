using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Anvil.Galaxy.Archives;

/// <summary>A run of data deflated in independent blocks: the compressed bytes, the CRC-32 and length of the input.</summary>
internal sealed record DeflatedPart(IReadOnlyList<byte[]> Blocks, uint Crc, long Length);

/// <summary>
/// A write-only stream that deflates what is written in fixed 1 MiB blocks on several threads at once, as pigz does:
/// each block is compressed on its own and ends on a byte boundary (a sync flush), so blocks and whole parts can be
/// put one after the other into a single deflate stream, in any order they were made. The output depends only on
/// the input, never on thread timing. <see cref="Complete"/> gives the part; <see cref="Gzip"/> assembles parts
/// into a gzip file.
/// </summary>
internal sealed class ParallelDeflateStream : Stream
{
    private const int BlockSize = 1 << 20;

    private readonly ZLibCompressionOptions _options;
    private readonly Queue<Task<(byte[] Data, uint Crc, int Size)>> _pending = new();
    private readonly List<byte[]> _done = [];
    private readonly int _maxPending;
    private byte[] _block;
    private int _filled;
    private uint _crc;
    private long _total;
    private long _written;
    private bool _completed;

    /// <param name="level">zlib level 0–9.</param>
    public ParallelDeflateStream(int level)
    {
        _options = new ZLibCompressionOptions { CompressionLevel = level, CompressionStrategy = ZLibCompressionStrategy.Default };
        _maxPending = Math.Max(2, Environment.ProcessorCount * 2);
        _block = ArrayPool<byte>.Shared.Rent(BlockSize);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _written += buffer.Length;
        while (!buffer.IsEmpty)
        {
            var n = Math.Min(buffer.Length, BlockSize - _filled);
            buffer[..n].CopyTo(_block.AsSpan(_filled));
            _filled += n;
            buffer = buffer[n..];
            if (_filled == BlockSize)
            {
                Dispatch(final: false);
            }
        }
    }

    private void Dispatch(bool final)
    {
        var block = _block;
        var size = _filled;
        _block = ArrayPool<byte>.Shared.Rent(BlockSize);
        _filled = 0;
        var options = _options;
        _pending.Enqueue(DeflateWorkers.Run(() => Deflate(block, size, final, options)));
        while (_pending.Count >= _maxPending)
        {
            Collect();
        }
    }

    private static (byte[] Data, uint Crc, int Size) Deflate(byte[] block, int size, bool final, ZLibCompressionOptions options)
    {
        try
        {
            // Each block is a gzip stream of its own, so that zlib computes the block's CRC-32 (with its SIMD code)
            // while it deflates; what is kept is only the deflate data in between: after the 10-byte header, up to
            // the sync flush (or, for a final block, up to the 8-byte trailer). The trailer gives the CRC.
            using var ms = new MemoryStream(size / 2 + 64);
            int end;
            using (var gzip = new GZipStream(ms, options, leaveOpen: true))
            {
                gzip.Write(block, 0, size);
                gzip.Flush();
                end = (int)ms.Length;
            }
            var bytes = ms.GetBuffer();
            var total = (int)ms.Length;
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(total - 8));
            return (bytes[10..(final ? total - 8 : end)], crc, size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }

    private void Collect()
    {
        var (data, crc, size) = _pending.Dequeue().GetAwaiter().GetResult();
        _done.Add(data);
        _crc = Crc32.Combine(_crc, crc, size);
        _total += size;
    }

    /// <summary>Compresses what is left; with <paramref name="final"/> the part ends the deflate stream.</summary>
    public DeflatedPart Complete(bool final)
    {
        if (_completed)
        {
            throw new InvalidOperationException("already completed");
        }
        _completed = true;
        if (_filled > 0 || final)
        {
            Dispatch(final);
        }
        while (_pending.Count > 0)
        {
            Collect();
        }
        ArrayPool<byte>.Shared.Return(_block);
        return new DeflatedPart(_done, _crc, _total);
    }

    public override void Flush()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_completed)
        {
            // Abandoned (an error): wait for the blocks in flight, keep nothing.
            _completed = true;
            while (_pending.Count > 0)
            {
                try
                {
                    _pending.Dequeue().Wait();
                }
                catch (AggregateException)
                {
                }
            }
        }
        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>
/// Threads of their own (one per core) that deflate blocks. Callers wait for blocks synchronously, often on
/// thread-pool threads (several builds or installs at once); if the blocks needed pool threads too, the pool could
/// starve and stall for seconds.
/// </summary>
internal static class DeflateWorkers
{
    private static readonly System.Collections.Concurrent.BlockingCollection<Action> Jobs = Start();

    private static System.Collections.Concurrent.BlockingCollection<Action> Start()
    {
        var jobs = new System.Collections.Concurrent.BlockingCollection<Action>();
        for (var i = 0; i < Math.Max(1, Environment.ProcessorCount); i++)
        {
            new Thread(() =>
            {
                foreach (var job in jobs.GetConsumingEnumerable())
                {
                    job();
                }
            })
            { IsBackground = true, Name = "anvil-deflate" }.Start();
        }
        return jobs;
    }

    public static Task<T> Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Jobs.Add(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }
}

/// <summary>Writes one gzip member from deflated parts (the last one made final).</summary>
internal static class Gzip
{
    /// <summary>Header without a time (MTIME 0), <paramref name="innerName"/> as FNAME, XFL from the level and
    /// OS 255 (as Python writes); the parts' data in order; the combined CRC-32 and length.</summary>
    public static void Write(Stream output, string innerName, int level, params DeflatedPart[] parts)
    {
        Span<byte> header = stackalloc byte[10];
        header.Clear();
        header[0] = 0x1f;
        header[1] = 0x8b;
        header[2] = 8;
        header[3] = 0x08;
        header[8] = (byte)(level >= 9 ? 2 : level <= 1 ? 4 : 0);
        header[9] = 0xff;
        output.Write(header);
        output.Write(Encoding.Latin1.GetBytes(innerName));
        output.WriteByte(0);
        uint crc = 0;
        long length = 0;
        foreach (var part in parts)
        {
            foreach (var block in part.Blocks)
            {
                output.Write(block);
            }
            crc = Crc32.Combine(crc, part.Crc, part.Length);
            length += part.Length;
        }
        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)(length & 0xFFFFFFFF));
        output.Write(trailer);
    }
}
