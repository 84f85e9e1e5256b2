using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Anvil.Galaxy.Archives;

/// <summary>
/// A write-only gzip stream whose output depends on nothing but the input: no time in the header (MTIME 0), a fixed
/// inner file name, and the data cut into fixed 1 MiB blocks that are deflated on several threads at once (as
/// pigz does: each block ends on a byte boundary with a sync flush, the last one with the final block), so the same
/// input always gives the same bytes, whatever the thread timing. The result is one ordinary gzip member.
/// </summary>
internal sealed class ParallelGzipStream : Stream
{
    private const int BlockSize = 1 << 20;

    private readonly Stream _output;
    private readonly ZLibCompressionOptions _options;
    private readonly Queue<Task<(byte[] Data, int Length, uint Crc, int Size)>> _pending = new();
    private readonly int _maxPending;
    private byte[] _block;
    private int _filled;
    private uint _crc;
    private long _total;
    private bool _finished;

    /// <param name="output">Where the gzip bytes go (left open).</param>
    /// <param name="innerName">The gzip FNAME field, e.g. <c>ns-name-1.0.0.tar</c>, as ansible-galaxy writes.</param>
    /// <param name="level">zlib level 0–9.</param>
    public ParallelGzipStream(Stream output, string innerName, int level = 6)
    {
        _output = output;
        _options = new ZLibCompressionOptions { CompressionLevel = level, CompressionStrategy = ZLibCompressionStrategy.Default };
        _maxPending = Math.Max(2, Environment.ProcessorCount * 2);
        _block = ArrayPool<byte>.Shared.Rent(BlockSize);
        // Header: magic, deflate, FNAME flag, MTIME 0, XFL (2 = best, 4 = fastest), OS 255 (unknown), as Python does.
        var header = new byte[10];
        header[0] = 0x1f;
        header[1] = 0x8b;
        header[2] = 8;
        header[3] = 0x08;
        header[8] = (byte)(level >= 9 ? 2 : level <= 1 ? 4 : 0);
        header[9] = 0xff;
        _output.Write(header);
        _output.Write(Encoding.Latin1.GetBytes(innerName));
        _output.WriteByte(0);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _total + _filled;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
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
        _pending.Enqueue(Task.Run(() => Deflate(block, size, final, options)));
        while (_pending.Count >= _maxPending)
        {
            WriteOldest();
        }
    }

    private static (byte[] Data, int Length, uint Crc, int Size) Deflate(byte[] block, int size, bool final, ZLibCompressionOptions options)
    {
        try
        {
            var crc = Crc32.Compute(block.AsSpan(0, size));
            using var ms = new MemoryStream(size / 2 + 64);
            byte[] data;
            int length;
            using (var deflate = new DeflateStream(ms, options, leaveOpen: true))
            {
                deflate.Write(block, 0, size);
                if (!final)
                {
                    // A sync flush ends the block on a byte boundary without the final-block bit.
                    deflate.Flush();
                    data = ms.GetBuffer();
                    length = (int)ms.Length;
                    return (data[..length], length, crc, size);
                }
            }
            data = ms.GetBuffer();
            length = (int)ms.Length;
            return (data, length, crc, size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }

    private void WriteOldest()
    {
        var (data, length, crc, size) = _pending.Dequeue().GetAwaiter().GetResult();
        _output.Write(data, 0, length);
        _crc = Crc32.Combine(_crc, crc, size);
        _total += size;
    }

    /// <summary>Compresses what is left and writes the trailer (CRC-32 and length).</summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }
        _finished = true;
        Dispatch(final: true);
        while (_pending.Count > 0)
        {
            WriteOldest();
        }
        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, _crc);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)(_total & 0xFFFFFFFF));
        _output.Write(trailer);
        ArrayPool<byte>.Shared.Return(_block);
    }

    public override void Flush()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_finished)
        {
            // Disposed without Finish (an error): do not wait for a half-written archive, just drop it.
            _finished = true;
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
