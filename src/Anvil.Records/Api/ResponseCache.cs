using System.Collections.Concurrent;

namespace Anvil.Records.Api;

/// <summary>
/// Answers to reads, kept until the database changes. Every entry is tied to the database's change stamp at the time
/// the answer was computed, so a commit by anyone (this server, another server, a runner writing to the same file)
/// makes all of them misses. Bounded in bytes; when full it starts again empty rather than tracking recency.
/// </summary>
internal sealed class ResponseCache(long maxBytes)
{
    private readonly ConcurrentDictionary<string, ApiResponse> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _stamp = long.MinValue;
    private long _bytes;

    public bool TryGet(string key, long stamp, out ApiResponse response)
    {
        if (Volatile.Read(ref _stamp) == stamp && _entries.TryGetValue(key, out var found))
        {
            response = found;
            return true;
        }
        response = null!;
        return false;
    }

    /// <summary>Keeps <paramref name="response"/>, computed from the database as it was at <paramref name="stamp"/>
    /// (read before the work began, so that a change made meanwhile can never be hidden).</summary>
    public void Add(string key, long stamp, ApiResponse response)
    {
        var size = response.Body.Length + key.Length * 2L;
        if (size > maxBytes / 4)
        {
            return;
        }
        lock (_lock)
        {
            if (stamp != _stamp)
            {
                if (stamp < _stamp && _stamp != long.MinValue && _entries.Count > 0)
                {
                    return; // computed before a change the cache already moved past
                }
                _entries.Clear();
                _bytes = 0;
                Volatile.Write(ref _stamp, stamp);
            }
            if (_bytes + size > maxBytes)
            {
                _entries.Clear();
                _bytes = 0;
            }
            if (_entries.TryAdd(key, response))
            {
                _bytes += size;
            }
        }
    }

    /// <summary>The request's identity for the cache: everything an answer depends on. The user is not part of it:
    /// reads answer the same to everyone allowed to read.</summary>
    public static string KeyOf(ApiRequest r)
    {
        var sb = new System.Text.StringBuilder(r.BaseUrl.Length + r.Path.Length + 64);
        sb.Append(r.BaseUrl).Append(' ').Append(r.Path);
        foreach (var (k, v) in r.Query)
        {
            sb.Append('&').Append(Uri.EscapeDataString(k)).Append('=').Append(Uri.EscapeDataString(v));
        }
        return sb.ToString();
    }
}
