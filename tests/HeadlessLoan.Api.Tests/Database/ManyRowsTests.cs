using HeadlessLoan.Api.Platform.Database;
using MySqlConnector;

namespace HeadlessLoan.Api.Tests.Database;

public sealed class ManyRowsTests
{
    [Fact]
    public void EachRowGetsItsOwnParametersNamedApart()
    {
        using var command = new MySqlCommand();

        var sql = DbChange.ManyRows(
            "INSERT INTO t (id, id_hash, note) VALUES (@Id, @IdHash, CONCAT(@Note, '@'))",
            [new { Id = 1, IdHash = "h1", Note = "a" }, new { Id = 2, IdHash = "h2", Note = "b" }],
            command.Parameters, "r");

        Assert.Equal("""
            INSERT INTO t (id, id_hash, note) VALUES
              (@r0_Id, @r0_IdHash, CONCAT(@r0_Note, '@')),
              (@r1_Id, @r1_IdHash, CONCAT(@r1_Note, '@'))
            """, sql);
        Assert.Equal(
            ["@r0_Id=1", "@r0_IdHash=h1", "@r0_Note=a", "@r1_Id=2", "@r1_IdHash=h2", "@r1_Note=b"],
            command.Parameters.Cast<MySqlParameter>().Select(p => $"{p.ParameterName}={p.Value}"));
    }
}
