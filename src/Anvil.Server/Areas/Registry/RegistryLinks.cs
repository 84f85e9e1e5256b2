using Anvil.Server.Registry;

namespace Anvil.Server.Registry;

/// <summary>The registry pages' URLs. Collections live under <c>/collections</c>, imports under <c>/imports</c> (not
/// <c>/collections/imports</c>: <c>imports</c> is a valid namespace name). Namespaces, names and versions are
/// escaped: a version may hold <c>+</c>.</summary>
public static class RegistryLinks
{
    public const string Collections = "/collections";

    public const string Imports = "/imports";

    public static string Namespace(string ns) => $"{Collections}/{E(ns)}";

    public static string Collection(string ns, string name) => $"{Collections}/{E(ns)}/{E(name)}";

    public static string Version(string ns, string name, string version) => $"{Collections}/{E(ns)}/{E(name)}/{E(version)}";

    public static string Import(string id) => $"{Imports}/{E(id)}";

    /// <summary>The artifact, from the Galaxy API (the same file ansible-galaxy downloads).</summary>
    public static string Download(string filename) => "/api/" + GalaxyJson.DownloadPath + E(filename);

    /// <summary>The artifact's name, as the registry stores it.</summary>
    public static string Filename(string ns, string name, string version) => $"{ns}-{name}-{version}.tar.gz";

    private static string E(string segment) => Uri.EscapeDataString(segment);
}
