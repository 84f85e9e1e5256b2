using System.Numerics;
using Anvil.Yaml;

namespace Anvil.Yaml.Tests;

public class ScalarTests
{
    [Theory]
    [InlineData("0777", "511")]
    [InlineData("0x10", "16")]
    [InlineData("+0x1f", "31")]
    [InlineData("0x_1F", "31")]
    [InlineData("1_000", "1000")]
    [InlineData("0b101", "5")]
    [InlineData("-0b11", "-3")]
    [InlineData("1:30", "90")]
    [InlineData("190:20:30", "685230")]
    [InlineData("-0", "0")]
    [InlineData("00", "0")]
    [InlineData("0_", "0")]
    [InlineData("12345678901234567890", "12345678901234567890")]
    public void Read_PlainInts_AreIntsWithPythonsStr(string text, string value)
    {
        var s = Yaml11Scalars.Read(text, plain: true);
        Assert.Equal(Yaml11Kind.Int, s.Kind);
        Assert.Equal(BigInteger.Parse(value), s.Value);
        Assert.Equal(value, s.PythonStr);
    }

    [Theory]
    [InlineData("1.5", "1.5")]
    [InlineData("1.", "1.0")]
    [InlineData(".5", "0.5")]
    [InlineData("0.", "0.0")]
    [InlineData("1.0e+5", "100000.0")]
    [InlineData("1.0e+16", "1e+16")]
    [InlineData("1.5e-7", "1.5e-07")]
    [InlineData("0.0001", "0.0001")]
    [InlineData("0.00001", "1e-05")]
    [InlineData("1_0.5_0", "10.5")]
    [InlineData("1:30.5", "90.5")]
    [InlineData("123456789.123456789", "123456789.12345679")]
    [InlineData("-0.0", "-0.0")]
    [InlineData(".inf", "inf")]
    [InlineData("-.Inf", "-inf")]
    [InlineData(".NaN", "nan")]
    public void Read_PlainFloats_AreFloatsWithPythonsStr(string text, string str)
    {
        var s = Yaml11Scalars.Read(text, plain: true);
        Assert.Equal(Yaml11Kind.Float, s.Kind);
        Assert.Equal(str, s.PythonStr);
    }

    [Theory]
    [InlineData("1e5")] // PyYAML's float pattern needs a dot
    [InlineData("1.0e5")] // … and a signed exponent
    [InlineData("1e+5")]
    [InlineData("-.5")] // a leading dot takes no sign
    [InlineData("08")]
    [InlineData("0o17")]
    [InlineData("1:60")]
    [InlineData("y")]
    [InlineData("n")]
    [InlineData("tRue")]
    [InlineData("Infinity")]
    [InlineData("NaN")]
    [InlineData("1,000")]
    [InlineData("_1")]
    [InlineData("1.0.0")]
    public void Read_PlainStrings_StayStrings(string text)
    {
        var s = Yaml11Scalars.Read(text, plain: true);
        Assert.Equal(Yaml11Kind.String, s.Kind);
        Assert.Equal(text, s.Value);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("Yes", true)]
    [InlineData("ON", true)]
    [InlineData("True", true)]
    [InlineData("no", false)]
    [InlineData("Off", false)]
    [InlineData("FALSE", false)]
    public void Read_PlainBools_AreBoolsWithPythonsStr(string text, bool value)
    {
        var s = Yaml11Scalars.Read(text, plain: true);
        Assert.Equal(Yaml11Kind.Bool, s.Kind);
        Assert.Equal(value, s.Value);
        Assert.Equal(value ? "True" : "False", s.PythonStr);
    }

    [Theory]
    [InlineData("~")]
    [InlineData("null")]
    [InlineData("NULL")]
    [InlineData("")]
    public void Read_PlainNulls_AreNone(string text)
    {
        var s = Yaml11Scalars.Read(text, plain: true);
        Assert.Equal(Yaml11Kind.Null, s.Kind);
        Assert.Null(s.Value);
        Assert.Equal("None", s.PythonStr);
    }

    [Theory]
    [InlineData("2024-01-01", "2024-01-01")]
    [InlineData("2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.100000-05:00")]
    [InlineData("2001-12-14 21:59:43.10", "2001-12-14 21:59:43.100000")]
    [InlineData("2001-12-14T21:59:43Z", "2001-12-14 21:59:43+00:00")]
    [InlineData("2001-1-2 3:04:05 +5", "2001-01-02 03:04:05+05:00")]
    public void Read_PlainTimestamps_AreTimestampsWithPythonsStr(string text, string str)
    {
        var s = Yaml11Scalars.Read(text, plain: true);
        Assert.Equal(Yaml11Kind.Timestamp, s.Kind);
        Assert.Equal(str, s.PythonStr);
    }

    [Theory]
    [InlineData("0777", false, null, Yaml11Kind.String, "0777")]
    [InlineData("yes", true, "tag:yaml.org,2002:str", Yaml11Kind.String, "yes")]
    [InlineData("0x10", false, "!", Yaml11Kind.Int, "16")] // PyYAML resolves "! '0x10'" as if plain
    [InlineData("0x10", false, "tag:yaml.org,2002:int", Yaml11Kind.Int, "16")]
    [InlineData("1e5", true, "tag:yaml.org,2002:float", Yaml11Kind.Float, "100000.0")]
    [InlineData("tRuE", true, "tag:yaml.org,2002:bool", Yaml11Kind.Bool, "True")]
    [InlineData("anything", true, "tag:yaml.org,2002:null", Yaml11Kind.Null, "None")]
    public void Read_QuotesAndTags_DecideTheKind(string text, bool plain, string? tag, Yaml11Kind kind, string str)
    {
        var s = Yaml11Scalars.Read(text, plain, tag);
        Assert.Equal(kind, s.Kind);
        Assert.Equal(str, s.PythonStr);
    }

    [Theory]
    [InlineData("=", true, null, "value key")]
    [InlineData("<<", true, null, "merge key")]
    [InlineData("x", true, "!vault", "!vault")]
    [InlineData("1e5", true, "tag:yaml.org,2002:int", "not a valid int")]
    [InlineData("2024-13-01", true, null, "not a valid timestamp")]
    public void WhatTheSafeLoaderRefuses_IsAnError(string text, bool plain, string? tag, string message) =>
        Assert.Contains(message, Assert.Throws<Yaml11Exception>(() => Yaml11Scalars.Read(text, plain, tag)).Message);

    [Theory]
    [InlineData("=")]
    [InlineData("<<")]
    [InlineData("1e5")]
    [InlineData("0777")]
    public void Resolve_NeverThrows(string text) => Yaml11Scalars.Resolve(text);

    [Theory]
    [InlineData("a", "'a'")]
    [InlineData("it's", "\"it's\"")]
    [InlineData("both ' and \"", "'both \\' and \"'")]
    [InlineData("tab\there\n", "'tab\\there\\n'")]
    [InlineData("back\\slash", "'back\\\\slash'")]
    public void StringRepr_IsPythons(string s, string repr) => Assert.Equal(repr, PythonFormat.StringRepr(s));
}
