using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Anvil.Server.Ui.Export;

/// <summary>
/// An <see cref="IServer"/> without a network: requests are handed to the application in memory and the answer comes
/// back as bytes. The static export renders every page through the same pipeline as the real server this way, with a
/// <see cref="StaticRenderFeature"/> that no HTTP request can carry.
/// </summary>
internal sealed class InProcessServer : IServer
{
    private Func<IFeatureCollection, Task>? _process;

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        _process = async features =>
        {
            var context = application.CreateContext(features);
            Exception? error = null;
            try
            {
                await application.ProcessRequestAsync(context);
            }
            catch (Exception e)
            {
                error = e;
                throw;
            }
            finally
            {
                application.DisposeContext(context, error);
            }
        };
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }

    /// <summary>GETs <paramref name="path"/> (no query string) with <paramref name="feature"/> on the request.</summary>
    public async Task<(int Status, byte[] Body)> GetAsync(string path, StaticRenderFeature feature, CancellationToken ct)
    {
        var process = _process ?? throw new InvalidOperationException("the application has not started");
        var body = new MemoryStream();
        var response = new HttpResponseFeature();
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Method = HttpMethods.Get,
            Scheme = "http",
            Protocol = "HTTP/1.1",
            Path = path,
            Headers = new HeaderDictionary { ["Host"] = "localhost" },
        });
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = ct });
        features.Set(feature);
        await process(features);
        return (response.StatusCode, body.ToArray());
    }
}
