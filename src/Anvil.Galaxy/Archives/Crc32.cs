namespace Anvil.Galaxy.Archives;

/// <summary>The CRC-32 of gzip (IEEE polynomial, reflected), slice-by-8, with <see cref="Combine"/> so that chunks
/// checked on different threads add up to the checksum of the whole stream (zlib's crc32_combine).</summary>
internal static class Crc32
{
    private const uint Polynomial = 0xEDB88320u;
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var t = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            }
            t[i] = c;
        }
        for (var i = 0; i < 256; i++)
        {
            for (var s = 1; s < 8; s++)
            {
                var prev = t[((s - 1) * 256) + i];
                t[(s * 256) + i] = (prev >> 8) ^ t[prev & 0xFF];
            }
        }
        return t;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var c = ~crc;
        var t = Table;
        while (data.Length >= 8)
        {
            var one = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data) ^ c;
            var two = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = t[(7 * 256) + (one & 0xFF)] ^ t[(6 * 256) + ((one >> 8) & 0xFF)] ^
                t[(5 * 256) + ((one >> 16) & 0xFF)] ^ t[(4 * 256) + (one >> 24)] ^
                t[(3 * 256) + (two & 0xFF)] ^ t[(2 * 256) + ((two >> 8) & 0xFF)] ^
                t[256 + ((two >> 16) & 0xFF)] ^ t[two >> 24];
            data = data[8..];
        }
        foreach (var b in data)
        {
            c = t[(c ^ b) & 0xFF] ^ (c >> 8);
        }
        return ~c;
    }

    /// <summary>The CRC of A followed by B, from crc(A), crc(B) and B's length.</summary>
    public static uint Combine(uint crcA, uint crcB, long lengthB)
    {
        if (lengthB <= 0)
        {
            return crcA;
        }
        Span<uint> even = stackalloc uint[32];
        Span<uint> odd = stackalloc uint[32];
        // The operator for one zero bit, then squared to two and four bits.
        odd[0] = Polynomial;
        uint row = 1;
        for (var n = 1; n < 32; n++)
        {
            odd[n] = row;
            row <<= 1;
        }
        Square(even, odd);
        Square(odd, even);
        do
        {
            Square(even, odd);
            if ((lengthB & 1) != 0)
            {
                crcA = Times(even, crcA);
            }
            lengthB >>= 1;
            if (lengthB == 0)
            {
                break;
            }
            Square(odd, even);
            if ((lengthB & 1) != 0)
            {
                crcA = Times(odd, crcA);
            }
            lengthB >>= 1;
        }
        while (lengthB != 0);
        return crcA ^ crcB;
    }

    private static uint Times(ReadOnlySpan<uint> matrix, uint vector)
    {
        uint sum = 0;
        var i = 0;
        while (vector != 0)
        {
            if ((vector & 1) != 0)
            {
                sum ^= matrix[i];
            }
            vector >>= 1;
            i++;
        }
        return sum;
    }

    private static void Square(Span<uint> square, ReadOnlySpan<uint> matrix)
    {
        for (var n = 0; n < 32; n++)
        {
            square[n] = Times(matrix, matrix[n]);
        }
    }
}
