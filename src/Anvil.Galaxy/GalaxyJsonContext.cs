using System.Text.Json.Serialization;

namespace Anvil.Galaxy;

/// <summary>Source-generated JSON (no reflection at run time) for the few typed documents Anvil.Galaxy reads.</summary>
[JsonSerializable(typeof(string[]))]
internal sealed partial class GalaxyJsonContext : JsonSerializerContext;
