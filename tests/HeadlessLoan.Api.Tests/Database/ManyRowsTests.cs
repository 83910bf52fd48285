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

    [Fact]
    public void WhatFollowsTheRowEndsTheStatementOnce()
    {
        using var command = new MySqlCommand();

        var sql = DbChange.ManyRows(
            "INSERT INTO t (k, v) VALUES (@K, @V) ON DUPLICATE KEY UPDATE v = VALUES(v)",
            [new { K = 1, V = "a" }, new { K = 2, V = "b" }],
            command.Parameters, "u");

        Assert.Equal("""
            INSERT INTO t (k, v) VALUES
              (@u0_K, @u0_V),
              (@u1_K, @u1_V) ON DUPLICATE KEY UPDATE v = VALUES(v)
            """, sql);
    }
}
