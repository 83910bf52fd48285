namespace HeadlessLoan.Sandbox.Tests;

public sealed class SandboxArgumentsTests
{
    [Fact]
    public void Port_argument_wins_over_the_environment() =>
        Assert.Equal(6001, SandboxArguments.ResolvePort(["--port", "6001"], "6002", 5081));

    [Fact]
    public void Port_argument_accepts_the_equals_form() =>
        Assert.Equal(6001, SandboxArguments.ResolvePort(["--port=6001"], null, 5081));

    [Fact]
    public void Environment_port_is_used_without_an_argument() =>
        Assert.Equal(6002, SandboxArguments.ResolvePort([], "6002", 5081));

    [Fact]
    public void Default_port_is_used_without_argument_or_environment() =>
        Assert.Equal(5081, SandboxArguments.ResolvePort([], " ", 5081));

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("eighty")]
    public void Invalid_port_is_rejected(string value)
    {
        Assert.Throws<ArgumentException>(() => SandboxArguments.ResolvePort(["--port", value], null, 5081));
        Assert.Throws<ArgumentException>(() => SandboxArguments.ResolvePort([], value, 5081));
    }

    [Fact]
    public void Unknown_argument_is_rejected() =>
        Assert.Throws<ArgumentException>(() => SandboxArguments.ResolvePort(["--verbose"], null, 5081));
}
