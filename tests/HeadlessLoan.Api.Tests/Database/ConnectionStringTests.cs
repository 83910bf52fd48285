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

    [Fact]
    public void AConnectionIsWaitedForTwoSecondsUnlessTheStringSaysOtherwise()
    {
        Assert.Equal(2u, new MySqlConnectionStringBuilder(StorageSetup.PooledConnectionString("Server=db")).ConnectionTimeout);
        Assert.Equal(15u, new MySqlConnectionStringBuilder(StorageSetup.PooledConnectionString("Server=db;Connect Timeout=15")).ConnectionTimeout);
    }

    [Fact]
    public void RedisCommandsFailAtOnceWhileItIsAwayAndTimeOutAfterASecond()
    {
        var options = StorageSetup.RedisOptions("127.0.0.1:6379");

        Assert.False(options.AbortOnConnectFail);
        Assert.Equal(StackExchange.Redis.BacklogPolicy.FailFast, options.BacklogPolicy);
        Assert.Equal((1000, 1000, 1000), (options.ConnectTimeout, options.SyncTimeout, options.AsyncTimeout));
        Assert.Equal(5000, StorageSetup.RedisOptions("127.0.0.1:6379,syncTimeout=5000").SyncTimeout);
    }
}
