using Anvil.Runner.Inputs;

namespace Anvil.Runner.Tests.Inputs;

public class RoleVariablesTests
{
    [Fact]
    public void Parse_ReadsValuesAsPythonLiterals()
    {
        var vars = RoleVariables.Parse("n=3 f=1.5 neg=-2 yes=True no=False none=None q='quoted' dq=\"x\" " +
                                       "list=[1,'a',[2]] tuple=(1,2) pair=1,2 map={'k':1,\"j\":[True]} text=hello url=a=b");
        Assert.Equal(
            """{"n":3,"f":1.5,"neg":-2,"yes":true,"no":false,"none":null,"q":"quoted","dq":"x","list":[1,"a",[2]],"tuple":[1,2],"pair":[1,2],"map":{"k":1,"j":[true]},"text":"hello","url":"a=b"}""",
            vars.ToJsonString());
    }

    [Theory]
    [InlineData("[1,", "[1,")]
    [InlineData("yes", "yes")]
    [InlineData("0x10", "0x10")]
    [InlineData("'open", "'open")]
    public void Parse_NotALiteral_StaysText(string value, string expected) =>
        Assert.Equal(expected, (string)RoleVariables.Parse("v=" + value)["v"]!);

    [Theory]
    [InlineData("novalue")]
    [InlineData("=1")]
    public void Parse_WordWithoutKey_Throws(string word) =>
        Assert.Equal($"--role-vars: '{word}' is not key=value",
            Assert.Throws<RunnerInputException>(() => RoleVariables.Parse("a=1 " + word)).Message);
}
