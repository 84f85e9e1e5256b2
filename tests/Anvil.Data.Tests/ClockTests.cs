using Anvil.Data.Users;

namespace Anvil.Data.Tests;

/// <summary>The times a database writes come from its <see cref="TimeProvider"/>, so a test can fix them.</summary>
public sealed class ClockTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A clock that stands still at one instant.</summary>
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task StoresWriteTheDatabasesClock_NotTheSystemClock()
    {
        var then = new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero).AddTicks(7890); // 789 µs
        await using var db = await AnvilDatabase.OpenAsync(Path.Combine(_dir.Path, "anvil.db"), [], time: new FixedTime(then));
        Assert.Equal(Clock.ToMicros(then), db.NowMicros());

        var users = new UserStore(db);
        await users.AddAsync("zoe", "zoe-password");
        Assert.Equal(then, Assert.Single(await users.ListAsync()).Created);

        var token = await new TokenStore(db).CreateAsync("zoe");
        Assert.Equal(then, token.Token.Created);
    }
}
