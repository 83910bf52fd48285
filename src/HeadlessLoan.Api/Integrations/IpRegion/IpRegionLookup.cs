using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace HeadlessLoan.Api.Integrations.IpRegion;

/// <summary>Which province an address belongs to: the first two digits of its GB/T 2260 region code, or null.</summary>
public interface IIpRegionLookup
{
    string? ProvinceCodeOf(IPAddress address);
}

/// <summary>
/// IPv4 ranges from a file in the IP2Location LITE DB3 CSV layout (<c>"ip_from","ip_to","country_code",
/// "country_name","region_name","city_name"</c>, addresses as integers), so the free monthly download, or a
/// commercial edition in the same layout, can be dropped in. Chinese region names map to province codes.
/// </summary>
public sealed class Ip2LocationCsvLookup : IIpRegionLookup
{
    private readonly uint[] _from;
    private readonly uint[] _to;
    private readonly string?[] _province;

    public Ip2LocationCsvLookup(string path)
    {
        var rows = File.ReadLines(path)
            .Where(line => line.Length > 0 && line[0] == '"')
            .Select(Parse)
            .OrderBy(r => r.From)
            .ToList();
        _from = rows.Select(r => r.From).ToArray();
        _to = rows.Select(r => r.To).ToArray();
        _province = rows.Select(r => r.Province).ToArray();
    }

    public int Count => _from.Length;

    public string? ProvinceCodeOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return null;
        }

        var bytes = address.GetAddressBytes();
        var value = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        var index = Array.BinarySearch(_from, value);
        if (index < 0)
        {
            index = ~index - 1; // the last range starting at or before the address
        }

        return index >= 0 && value <= _to[index] ? _province[index] : null;
    }

    private static (uint From, uint To, string? Province) Parse(string line)
    {
        var fields = line.Split("\",\"");
        if (fields.Length < 5)
        {
            throw new FormatException($"Not an IP2Location DB3 line: {line}");
        }

        var from = uint.Parse(fields[0].Trim('"'), CultureInfo.InvariantCulture);
        var to = uint.Parse(fields[1].Trim('"'), CultureInfo.InvariantCulture);
        var province = fields[2].Trim('"') == "CN" ? ChineseProvinces.CodeOf(fields[4].Trim('"')) : null;
        return (from, to, province);
    }
}

/// <summary>Province names as IP2Location spells them → the first two digits of GB/T 2260 region codes.</summary>
public static class ChineseProvinces
{
    private static readonly Dictionary<string, string> Codes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Beijing"] = "11", ["Tianjin"] = "12", ["Hebei"] = "13", ["Shanxi"] = "14", ["Nei Mongol"] = "15", ["Inner Mongolia"] = "15",
        ["Liaoning"] = "21", ["Jilin"] = "22", ["Heilongjiang"] = "23",
        ["Shanghai"] = "31", ["Jiangsu"] = "32", ["Zhejiang"] = "33", ["Anhui"] = "34", ["Fujian"] = "35", ["Jiangxi"] = "36", ["Shandong"] = "37",
        ["Henan"] = "41", ["Hubei"] = "42", ["Hunan"] = "43", ["Guangdong"] = "44", ["Guangxi Zhuangzu"] = "45", ["Guangxi"] = "45", ["Hainan"] = "46",
        ["Chongqing"] = "50", ["Sichuan"] = "51", ["Guizhou"] = "52", ["Yunnan"] = "53", ["Xizang"] = "54", ["Tibet"] = "54",
        ["Shaanxi"] = "61", ["Gansu"] = "62", ["Qinghai"] = "63", ["Ningxia Huizu"] = "64", ["Ningxia"] = "64", ["Xinjiang Uygur"] = "65", ["Xinjiang"] = "65",
        ["Taiwan"] = "71", ["Hong Kong"] = "81", ["Macao"] = "82", ["Macau"] = "82",
    };

    public static string? CodeOf(string regionName) => Codes.GetValueOrDefault(regionName.Trim());
}
