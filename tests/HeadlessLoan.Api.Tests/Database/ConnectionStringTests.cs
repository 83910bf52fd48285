using HeadlessLoan.Api.Platform.Database;
using MySqlConnector;

namespace HeadlessLoan.Api.Tests.Database;

public sealed class ConnectionStringTests
{
    [Fact]
    public void PooledConnectionsAreNotResetUnlessTheStringSaysSo()
    {
        var built = new MySqlConnectionStringBuilder(StorageSetup.PooledConnectionString("Server=db;User ID=app;Password=p"));

        Assert.False(built.ConnectionReset);
        Assert.Equal("db", built.Server);
        Assert.Equal("p", built.Password);
    }

    [Theory]
    [InlineData("Server=db;Connection Reset=true")]
    [InlineData("Server=db;ConnectionReset=True")]
    public void AnExplicitConnectionResetIsKept(string configured) =>
        Assert.True(new MySqlConnectionStringBuilder(StorageSetup.PooledConnectionString(configured)).ConnectionReset);
}
