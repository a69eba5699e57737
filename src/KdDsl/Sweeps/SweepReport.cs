using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace KdDsl.Sweeps;

/// <summary>The best configuration found for one (data set, student) pair; scores are mean student test accuracies over seeds.</summary>
public sealed record PairBest(string Dataset, string Student, string Configuration, double Score, int Seeds, int Configurations);

/// <summary>
/// The cost of forcing one knob to one value: per (data set, student) pair, the best score minus the best score among the
/// configurations with that value (the other knobs still chosen at their best); then the mean and the worst over pairs.
/// </summary>
public sealed record KnobValueCost(string Knob, string Value, double MeanCost, double WorstCost, string WorstPair, int Pairs);

/// <summary>One configuration's loss against each pair's best (best minus its score): worst and mean over the pairs.</summary>
public sealed record ConfigurationLoss(string Configuration, double WorstLoss, double MeanLoss, string WorstPair, IReadOnlyList<double> Scores);

/// <summary>
/// Sultan et al.'s analysis of a sweep: the best configuration per data set and student, the cost of each sub-optimal knob value
/// (best minus each value: mean and worst over data sets × students), and the single configuration whose worst-case loss is smallest.
/// Only finished trials count; a configuration's score on a pair is its mean student accuracy over the seeds run.
/// </summary>
public sealed record SweepAnalysis(
    IReadOnlyList<string> Pairs,
    IReadOnlyList<string> Knobs,
    IReadOnlyList<PairBest> Best,
    IReadOnlyList<KnobValueCost> Costs,
    IReadOnlyList<ConfigurationLoss> Configurations,
    ConfigurationLoss? Robust,
    int FinishedTrials,
    int UnfinishedTrials)
{
    /// <summary>Analyses the (merged) rows of one or more stores.</summary>
    public static SweepAnalysis From(IReadOnlyList<TrialRecord> records)
    {
        var finished = records.Where(r => r.Status == TrialStatus.Finished && r.StudentAccuracy is not null).ToList();
        var knobs = finished.SelectMany(r => r.Configuration.Select(p => p.Key)).Distinct().ToList();
        // Configurations in grid order (trial index), so ties are broken the same way everywhere.
        var order = finished.GroupBy(r => r.ConfigurationText).Select(g => (Text: g.Key, Index: g.Min(r => r.Trial), Config: g.First().Configuration))
            .OrderBy(c => c.Index).ThenBy(c => c.Text, StringComparer.Ordinal).ToList();
        var pairs = finished.Select(r => PairName(r.Dataset, r.Student)).Distinct().OrderBy(p => p, StringComparer.Ordinal).ToList();

        // score[pair][configuration] = mean accuracy over seeds.
        var score = new Dictionary<string, Dictionary<string, (double Mean, int Seeds)>>(StringComparer.Ordinal);
        foreach (var group in finished.GroupBy(r => (Pair: PairName(r.Dataset, r.Student), r.ConfigurationText)))
        {
            if (!score.TryGetValue(group.Key.Pair, out var byConfiguration))
                score[group.Key.Pair] = byConfiguration = new Dictionary<string, (double, int)>(StringComparer.Ordinal);
            byConfiguration[group.Key.ConfigurationText] = (group.Average(r => r.StudentAccuracy!.Value), group.Count());
        }

        var best = new List<PairBest>();
        var bestScore = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string pair in pairs)
        {
            var byConfiguration = score[pair];
            var top = order.Where(c => byConfiguration.ContainsKey(c.Text)).Select(c => (c.Text, byConfiguration[c.Text].Mean, byConfiguration[c.Text].Seeds))
                .Aggregate((a, b) => b.Mean > a.Mean ? b : a); // first in grid order among equals
            bestScore[pair] = top.Mean;
            var first = finished.First(r => PairName(r.Dataset, r.Student) == pair);
            best.Add(new PairBest(first.Dataset, first.Student, top.Text, top.Mean, top.Seeds, byConfiguration.Count));
        }

        var costs = new List<KnobValueCost>();
        foreach (string knob in knobs)
        {
            var values = order.Select(c => Value(c.Config, knob)).Where(v => v is not null).Distinct().ToList();
            foreach (string? value in values)
            {
                var perPair = new List<(string Pair, double Cost)>();
                foreach (string pair in pairs)
                {
                    // A configuration the knob does not act on (SweepGrid.NotApplicableValue) is open to every value of it.
                    var candidates = order.Where(c => (Value(c.Config, knob) == value || !Acts(c.Config, knob)) && score[pair].ContainsKey(c.Text)).ToList();
                    if (candidates.Count == 0) continue;
                    perPair.Add((pair, bestScore[pair] - candidates.Max(c => score[pair][c.Text].Mean)));
                }
                if (perPair.Count == 0) continue;
                var worst = perPair.Aggregate((a, b) => b.Cost > a.Cost ? b : a);
                costs.Add(new KnobValueCost(knob, value!, perPair.Average(p => p.Cost), worst.Cost, worst.Cost > 0 ? worst.Pair : "", perPair.Count));
            }
        }

        // Configurations run on every pair, by worst-case loss, then mean loss, then grid order.
        var losses = new List<ConfigurationLoss>();
        foreach (var configuration in order)
        {
            if (!pairs.All(p => score[p].ContainsKey(configuration.Text))) continue;
            var perPair = pairs.Select(p => (Pair: p, Loss: bestScore[p] - score[p][configuration.Text].Mean)).ToList();
            var worst = perPair.Aggregate((a, b) => b.Loss > a.Loss ? b : a);
            losses.Add(new ConfigurationLoss(configuration.Text, worst.Loss, perPair.Average(p => p.Loss), worst.Loss > 0 ? worst.Pair : "",
                pairs.Select(p => score[p][configuration.Text].Mean).ToList()));
        }
        var ranked = losses.Select((l, i) => (l, i)).OrderBy(x => x.l.WorstLoss).ThenBy(x => x.l.MeanLoss).ThenBy(x => x.i).Select(x => x.l).ToList();
        return new SweepAnalysis(pairs, knobs, best, costs, ranked, ranked.FirstOrDefault(), finished.Count, records.Count - finished.Count);
    }

    /// <summary>How a (data set, student) pair is named in the report.</summary>
    public static string PairName(string dataset, string student) => dataset + " × " + ShortName(student);

    /// <summary>The report as Markdown: accuracies and costs in percentage points.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"Finished trials: {FinishedTrials.ToString(CultureInfo.InvariantCulture)}" +
                        (UnfinishedTrials > 0 ? $" ({UnfinishedTrials.ToString(CultureInfo.InvariantCulture)} unfinished or failed, left out)" : "") +
                        ". Scores: the distilled student's test accuracy (%), mean over seeds.");
        text.AppendLine();
        text.AppendLine("### Best configuration per data set and student");
        text.AppendLine();
        text.AppendLine("| data set | student | best configuration | accuracy | seeds | configurations compared |");
        text.AppendLine("|---|---|---|---:|---:|---:|");
        foreach (var b in Best)
            text.AppendLine($"| {b.Dataset} | {ShortName(b.Student)} | {b.Configuration} | {Points(b.Score)} | {b.Seeds} | {b.Configurations} |");
        text.AppendLine();
        text.AppendLine("### Cost of each knob value (best − best with that value, points)");
        text.AppendLine();
        text.AppendLine($"Over the {Pairs.Count.ToString(CultureInfo.InvariantCulture)} (data set, student) pairs; 0 means the value is part of the best configuration (or ties it).");
        text.AppendLine();
        text.AppendLine("| knob | value | mean cost | worst cost | worst on |");
        text.AppendLine("|---|---|---:|---:|---|");
        foreach (var c in Costs)
            text.AppendLine($"| {c.Knob} | {c.Value} | {Points(c.MeanCost)} | {Points(c.WorstCost)} | {(c.WorstPair.Length == 0 ? "-" : c.WorstPair)} |");
        text.AppendLine();
        text.AppendLine("### The configuration with the smallest worst-case loss");
        text.AppendLine();
        if (Robust is { } r)
        {
            text.AppendLine($"**{r.Configuration}**: worst loss {Points(r.WorstLoss)} points{(r.WorstPair.Length == 0 ? " (best on every pair)" : $" (on {r.WorstPair})")}, mean loss {Points(r.MeanLoss)} points.");
            text.AppendLine();
            text.AppendLine("| rank | configuration | worst loss | mean loss | " + string.Join(" | ", Pairs) + " |");
            text.AppendLine("|---:|---|---:|---:|" + string.Concat(Pairs.Select(_ => "---:|")));
            int rank = 1;
            foreach (var c in Configurations)
                text.AppendLine($"| {rank++} | {c.Configuration} | {Points(c.WorstLoss)} | {Points(c.MeanLoss)} | " + string.Join(" | ", c.Scores.Select(Points)) + " |");
        }
        else
        {
            text.AppendLine("No configuration finished on every (data set, student) pair yet.");
        }
        return text.ToString();
    }

    /// <summary>Writes <c>report.md</c>, <c>best.csv</c>, <c>knob-costs.csv</c> and <c>configurations.csv</c> (accuracies as fractions) to <paramref name="folder"/>.</summary>
    public IReadOnlyList<string> Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        void Save(string name, string content)
        {
            string path = Path.Combine(folder, name);
            File.WriteAllText(path, content);
            files.Add(path);
        }
        Save("report.md", "# Sweep report\n\n" + ToMarkdown());
        Save("best.csv", Csv(new[] { "dataset", "student", "configuration", "accuracy", "seeds", "configurations" },
            Best.Select(b => new[] { b.Dataset, b.Student, b.Configuration, Number(b.Score), Int(b.Seeds), Int(b.Configurations) })));
        Save("knob-costs.csv", Csv(new[] { "knob", "value", "mean_cost", "worst_cost", "worst_pair", "pairs" },
            Costs.Select(c => new[] { c.Knob, c.Value, Number(c.MeanCost), Number(c.WorstCost), c.WorstPair, Int(c.Pairs) })));
        Save("configurations.csv", Csv(new[] { "configuration", "worst_loss", "mean_loss", "worst_pair" }.Concat(Pairs).ToArray(),
            Configurations.Select(c => new[] { c.Configuration, Number(c.WorstLoss), Number(c.MeanLoss), c.WorstPair }.Concat(c.Scores.Select(Number)).ToArray())));
        return files;
    }

    // A knob that does not act on a configuration (SweepGrid.NotApplicableValue) has no value there.
    private static string? Value(IReadOnlyList<KeyValuePair<string, string>> configuration, string knob) =>
        configuration.Where(p => p.Key == knob && p.Value != SweepGrid.NotApplicableValue).Select(p => p.Value).FirstOrDefault();

    private static bool Acts(IReadOnlyList<KeyValuePair<string, string>> configuration, string knob) =>
        !configuration.Any(p => p.Key == knob && p.Value == SweepGrid.NotApplicableValue);

    private static string ShortName(string type) => type[(type.LastIndexOf('.') + 1)..];

    private static string Points(double fraction) => (100 * fraction).ToString("F2", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Csv(string[] header, IEnumerable<string[]> rows)
    {
        var text = new StringBuilder();
        text.Append(string.Join(",", header.Select(Quote))).Append('\n');
        foreach (var row in rows) text.Append(string.Join(",", row.Select(Quote))).Append('\n');
        return text.ToString();
    }

    private static string Quote(string cell) =>
        cell.IndexOfAny(new[] { ',', '"', '\n' }) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
}
