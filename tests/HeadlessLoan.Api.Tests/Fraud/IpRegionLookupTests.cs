using System.Net;
using HeadlessLoan.Api.Integrations.IpRegion;

namespace HeadlessLoan.Api.Tests.Fraud;

public sealed class IpRegionLookupTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public IpRegionLookupTests() => File.WriteAllLines(_file,
    [
        "\"3405774848\",\"3405775871\",\"CN\",\"China\",\"Shanghai\",\"Shanghai\"",
        "\"16777216\",\"16777471\",\"US\",\"United States of America\",\"California\",\"Los Angeles\"",
        "\"3395948544\",\"3395949567\",\"CN\",\"China\",\"Beijing\",\"Beijing\"",
        "\"3683581952\",\"3683582975\",\"CN\",\"China\",\"Guangxi Zhuangzu\",\"Nanning\"",
    ]);

    public void Dispose() => File.Delete(_file);

    [Theory]
    [InlineData("202.106.16.0", "11")]     // first address of the Beijing range
    [InlineData("202.106.19.255", "11")]   // last address of the Beijing range
    [InlineData("203.0.0.7", "31")]        // rows need not be sorted in the file
    [InlineData("219.143.0.9", "45")]      // IP2Location's spelling of Guangxi
    [InlineData("::ffff:202.106.16.5", "11")]
    public void AddressesInsideAChineseRangeGiveTheProvinceCode(string address, string province) =>
        Assert.Equal(province, new Ip2LocationCsvLookup(_file).ProvinceCodeOf(IPAddress.Parse(address)));

    [Theory]
    [InlineData("202.106.20.0")]   // just past the Beijing range
    [InlineData("1.0.0.1")]        // outside China
    [InlineData("127.0.0.1")]      // not covered
    [InlineData("2001:db8::1")]    // IPv6 is not in a DB3 IPv4 file
    public void OtherAddressesGiveNoSignal(string address) =>
        Assert.Null(new Ip2LocationCsvLookup(_file).ProvinceCodeOf(IPAddress.Parse(address)));

    [Fact]
    public void TheBundledSampleFileLoads() =>
        Assert.True(new Ip2LocationCsvLookup(Path.Combine(AppContext.BaseDirectory, "Integrations", "IpRegion", "data", "ip2location-lite-db3.sample.csv")).Count > 0);
}
