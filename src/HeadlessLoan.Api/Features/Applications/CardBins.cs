using System.Text.Json;
using HeadlessLoan.Domain.Cards;

namespace HeadlessLoan.Api.Features.Applications;

/// <summary>
/// The issuing bank of a card number, from a BIN table kept as data (<c>Features/Applications/data/card-bins.json</c>):
/// the longest listed prefix wins; an unlisted UnionPay number (62…) is reported as UnionPay; anything else as unknown.
/// </summary>
public sealed class CardBins
{
    private readonly Dictionary<string, string> _banks;
    private readonly int _longest;
    private readonly string _unlistedUnionPay;

    public CardBins(IEnumerable<(string Prefix, string Bank)> bins, string unlistedUnionPay)
    {
        _banks = bins.ToDictionary(b => b.Prefix, b => b.Bank, StringComparer.Ordinal);
        _longest = _banks.Count == 0 ? 0 : _banks.Keys.Max(k => k.Length);
        _unlistedUnionPay = unlistedUnionPay;
    }

    public static CardBins Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var bins = root.GetProperty("bins").EnumerateArray()
            .Select(b => (b.GetProperty("prefix").GetString()!, b.GetProperty("bank").GetString()!))
            .ToList();
        if (bins.Any(b => b.Item1.Length is < 2 or > 10 || !b.Item1.All(char.IsAsciiDigit) || b.Item2.Length is 0 or > 40))
        {
            throw new InvalidDataException($"{path}: every BIN needs a prefix of 2–10 digits and a bank name of 1–40 characters.");
        }

        return new CardBins(bins, root.TryGetProperty("unlistedUnionPay", out var u) ? u.GetString() ?? "UnionPay" : "UnionPay");
    }

    /// <summary>The bank, or null when neither the table nor the UnionPay rule knows the number.</summary>
    public string? BankOf(string cardNumber)
    {
        for (var length = Math.Min(_longest, cardNumber.Length); length >= 2; length--)
        {
            if (_banks.TryGetValue(cardNumber[..length], out var bank))
            {
                return bank;
            }
        }

        return BankCardNumber.IsUnionPay(cardNumber) ? _unlistedUnionPay : null;
    }
}
