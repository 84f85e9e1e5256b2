using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Anvil.Data.Users;
using Anvil.Server.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Anvil.Server.Tests;

/// <summary>ARA's login rules (ara.md §5, samples/ara/v1.5.8/auth-tests.txt) on the real server. The API core
/// decides what an authorised request gets; here only "refused with 401" or "let through" matters.</summary>
public class AuthTests
{
    private const string User = "alice";
    private const string Password = "Tr0ub4dor&3";

    private static readonly AuthenticationHeaderValue Right = RunningServer.Basic(User, Password);
    private static readonly AuthenticationHeaderValue Wrong = RunningServer.Basic(User, "not-" + Password);
    private static readonly AuthenticationHeaderValue Nobody = RunningServer.Basic("mallory", Password);

    private const string NotProvided = "Authentication credentials were not provided.";
    private const string Invalid = "Invalid username/password.";

    private static async Task AssertRefused(HttpResponseMessage response, string detail)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic realm=\"api\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{{\"detail\":\"{detail}\"}}", await response.Content.ReadAsStringAsync());
    }

    private static async Task AssertLetThrough(HttpResponseMessage response)
    {
        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.DoesNotContain("credentials", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task NoLoginRequired_AnonymousPasses_WrongCredentialsAreStillRefused()
    {
        await using var server = await RunningServer.StartAsync(users: (User, Password));
        await AssertLetThrough(await server.SendAsync(HttpMethod.Get, "/api/v1/playbooks"));
        await AssertLetThrough(await server.SendAsync(HttpMethod.Post, "/api/v1/labels", body: "{\"name\":\"x\"}"));
        await AssertLetThrough(await server.SendAsync(HttpMethod.Get, "/api/v1/playbooks", Right));
        // As Django REST framework: credentials that are sent are checked even where none are needed.
        await AssertRefused(await server.SendAsync(HttpMethod.Get, "/api/v1/playbooks", Wrong), Invalid);
    }

    [Fact]
    public async Task WriteLoginRequired_ReadsOpen_WritesNeedTheRightUser()
    {
        await using var server = await RunningServer.StartAsync(write: true, users: (User, Password));
        await AssertLetThrough(await server.SendAsync(HttpMethod.Get, "/api/v1/playbooks"));
        await AssertLetThrough(await server.SendAsync(HttpMethod.Head, "/api/v1/playbooks"));
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete })
        {
            await AssertRefused(await server.SendAsync(method, "/api/v1/labels/1", body: "{}"), NotProvided);
            await AssertRefused(await server.SendAsync(method, "/api/v1/labels/1", Wrong, "{}"), Invalid);
            await AssertRefused(await server.SendAsync(method, "/api/v1/labels/1", Nobody, "{}"), Invalid);
            await AssertLetThrough(await server.SendAsync(method, "/api/v1/labels/1", Right, "{}"));
        }
    }

    [Fact]
    public async Task ReadLoginRequired_ReadsNeedAUser_WritesOpen_HealthStaysAnonymous()
    {
        await using var server = await RunningServer.StartAsync(read: true, users: (User, Password));
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Options })
        {
            await AssertRefused(await server.SendAsync(method, "/api/v1/playbooks"), NotProvided);
            await AssertRefused(await server.SendAsync(method, "/api/v1/playbooks", Wrong), Invalid);
            await AssertLetThrough(await server.SendAsync(method, "/api/v1/playbooks", Right));
        }
        using (var head = await server.SendAsync(HttpMethod.Head, "/api/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, head.StatusCode);
        }
        await AssertRefused(await server.SendAsync(HttpMethod.Get, "/api/"), NotProvided);
        await AssertRefused(await server.SendAsync(HttpMethod.Get, "/openapi/v1.json"), NotProvided);
        await AssertLetThrough(await server.SendAsync(HttpMethod.Post, "/api/v1/labels", body: "{\"name\":\"x\"}"));

        foreach (var path in new[] { "/healthz", "/healthcheck/" })
        {
            using var anonymous = await server.SendAsync(HttpMethod.Get, path);
            Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
            using var wrong = await server.SendAsync(HttpMethod.Get, path, Wrong);
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }
    }

    [Fact]
    public async Task BothRequired_OnlyTheRightUserGetsThrough()
    {
        await using var server = await RunningServer.StartAsync(read: true, write: true, users: (User, Password));
        await AssertRefused(await server.SendAsync(HttpMethod.Get, "/api/v1/hosts"), NotProvided);
        await AssertRefused(await server.SendAsync(HttpMethod.Delete, "/api/v1/hosts/1"), NotProvided);
        await AssertRefused(await server.SendAsync(HttpMethod.Get, "/api/v1/hosts", Nobody), Invalid);
        await AssertLetThrough(await server.SendAsync(HttpMethod.Get, "/api/v1/hosts", Right));
        await AssertLetThrough(await server.SendAsync(HttpMethod.Delete, "/api/v1/hosts/1", Right));
    }

    [Fact]
    public async Task MalformedBasicHeaders_AreRefusedWithDrfsMessages_UnknownTokensRefused_OtherSchemesAreAnonymous()
    {
        await using var server = await RunningServer.StartAsync(write: true, users: (User, Password));
        async Task<HttpResponseMessage> Post(string authorization)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/labels");
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            return await server.Http.SendAsync(request);
        }
        await AssertRefused(await Post("Basic"), "Invalid basic header. No credentials provided.");
        await AssertRefused(await Post("Basic YWxp Y2U="), "Invalid basic header. Credentials string should not contain spaces.");
        await AssertRefused(await Post("Basic %%%not-base64"), "Invalid basic header. Credentials not correctly base64 encoded.");
        await AssertRefused(await Post("Basic " + Convert.ToBase64String("no-colon"u8.ToArray())),
            "Invalid basic header. Credentials not correctly base64 encoded.");
        // Lower-case scheme works as in RFC 7617. Token is the registry's API token scheme (DRF's TokenAuthentication
        // wording for an unknown one); other schemes are not Anvil's, so the request is anonymous.
        await AssertLetThrough(await Post("basic " + Right.Parameter));
        await AssertRefused(await Post("Token 0123456789abcdef"), "Invalid token.");
        await AssertRefused(await Post("Bearer 0123456789abcdef"), NotProvided);
    }

    [Fact]
    public async Task SameCredentials_AreHashedOnce_NotOnEveryRequest()
    {
        await using var server = await RunningServer.StartAsync(write: true, users: (User, Password));
        var authenticator = server.App.Services.GetRequiredService<BasicAuthenticator>();

        // Concurrent first requests share one check.
        var first = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            server.SendAsync(HttpMethod.Post, "/api/v1/labels", Right, "{}")));
        Assert.All(first, r => Assert.NotEqual(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.Equal(1, authenticator.Verifications);

        for (var i = 0; i < 200; i++)
        {
            using var response = await server.SendAsync(HttpMethod.Post, "/api/v1/labels", Right, "{}");
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        // The counter proves it: 200 more requests, still the one slow password check.
        Assert.Equal(1, authenticator.Verifications);

        // Wrong passwords are not remembered: each one is checked (and refused).
        await AssertRefused(await server.SendAsync(HttpMethod.Post, "/api/v1/labels", Wrong, "{}"), Invalid);
        await AssertRefused(await server.SendAsync(HttpMethod.Post, "/api/v1/labels", Wrong, "{}"), Invalid);
        Assert.Equal(3, authenticator.Verifications);
    }

    [Fact]
    public async Task UserStoreChange_InvalidatesRememberedCredentials()
    {
        await using var server = await RunningServer.StartAsync(write: true, users: (User, Password));
        var authenticator = server.App.Services.GetRequiredService<BasicAuthenticator>();
        await AssertLetThrough(await server.SendAsync(HttpMethod.Post, "/api/v1/labels", Right, "{}"));
        await AssertLetThrough(await server.SendAsync(HttpMethod.Post, "/api/v1/labels", Right, "{}"));
        Assert.Equal(1, authenticator.Verifications);

        await server.Users.AddAsync("bob", "another-password");
        await AssertLetThrough(await server.SendAsync(HttpMethod.Post, "/api/v1/labels", Right, "{}"));
        Assert.Equal(2, authenticator.Verifications);

        Assert.True(await server.Users.RemoveAsync(User));
        await AssertRefused(await server.SendAsync(HttpMethod.Post, "/api/v1/labels", Right, "{}"), Invalid);
    }

    [Fact]
    public async Task RememberedCredentials_Expire()
    {
        // The server's clock is the test's: a loaded machine cannot make the first two requests straddle the expiry.
        var clock = new ManualClock();
        await using var server = await RunningServer.StartAsync(write: true,
            settings: new Dictionary<string, string?> { ["Records:CredentialCacheDuration"] = "00:00:01" },
            configure: b => b.Services.AddSingleton<TimeProvider>(clock),
            users: (User, Password));
        var authenticator = server.App.Services.GetRequiredService<BasicAuthenticator>();
        await AssertLetThrough(await server.SendAsync(HttpMethod.Post, "/api/v1/labels", Right, "{}"));
        await AssertLetThrough(await server.SendAsync(HttpMethod.Post, "/api/v1/labels", Right, "{}"));
        Assert.Equal(1, authenticator.Verifications);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        await AssertLetThrough(await server.SendAsync(HttpMethod.Post, "/api/v1/labels", Right, "{}"));
        Assert.Equal(1, authenticator.Verifications);
        clock.Advance(TimeSpan.FromMilliseconds(2));
        await AssertLetThrough(await server.SendAsync(HttpMethod.Post, "/api/v1/labels", Right, "{}"));
        Assert.Equal(2, authenticator.Verifications);
    }

    [Fact]
    public async Task UnauthorisedResponses_NeverEchoTheCredentials()
    {
        await using var server = await RunningServer.StartAsync(read: true, users: (User, Password));
        using var response = await server.SendAsync(HttpMethod.Get, "/api/v1/playbooks", Wrong);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong.Parameter!, text, StringComparison.Ordinal);
        Assert.DoesNotContain(User, text, StringComparison.Ordinal);
        _ = JsonDocument.Parse(text);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _timestamp = Stopwatch.GetTimestamp();

        public override long GetTimestamp() => Interlocked.Read(ref _timestamp);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _timestamp, (long)(by.TotalSeconds * TimestampFrequency));
    }
}
