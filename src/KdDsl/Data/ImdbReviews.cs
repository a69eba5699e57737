using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace KdDsl.Data;

/// <summary>One movie review: its text and its sentiment label (1 = positive, 0 = negative).</summary>
public readonly record struct Review(string Text, int Label);

/// <summary>
/// The IMDB movie reviews (binary sentiment) as JSON lines, gzip-compressed or plain: <c>train.jsonl.gz</c> and
/// <c>test.jsonl.gz</c> in one folder, one <c>{"text": "...", "label": 0 or 1}</c> object per line. Two tensor views are
/// offered: token ids for sequence models (<see cref="TokenIds"/>) and bag-of-words counts for MLPs (<see cref="BagOfWords"/>).
/// The vocabulary is always built from the training split only, so the test split never leaks into the features.
/// </summary>
public static class ImdbReviews
{
    /// <summary>Token id of padding (positions past the end of a short review).</summary>
    public const int PaddingId = 0;

    /// <summary>Token id of every word outside the vocabulary.</summary>
    public const int UnknownId = 1;

    /// <summary>Classes: 0 = negative, 1 = positive.</summary>
    public const int ClassCount = 2;

    /// <summary>Training file name inside the folder (a plain <c>train.jsonl</c> is accepted too).</summary>
    public const string TrainFile = "train.jsonl.gz";

    /// <summary>Test file name inside the folder (a plain <c>test.jsonl</c> is accepted too).</summary>
    public const string TestFile = "test.jsonl.gz";

    /// <summary>Seed of the subset drawn when a limit is given (fixed, so every run sees the same reviews).</summary>
    public const int SubsetSeed = 0;

    /// <summary>
    /// Reads one JSON-lines file; errors name the file and line. With a <paramref name="limit"/> (0 = all) it keeps a random
    /// subset of that size drawn with <see cref="SubsetSeed"/>, not the first lines: the shipped files list every negative
    /// review before the positive ones, so a prefix would hold a single class.
    /// </summary>
    public static IReadOnlyList<Review> ReadFile(string path, int limit = 0)
    {
        if (limit < 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "The review limit must be 0 (all) or positive.");
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new DatasetException($"IMDB file '{full}' does not exist. Point the loader at the folder holding {TrainFile} and {TestFile} " +
                                       "(in this repository's environment: ../shared/data/imdb).");
        var reviews = new List<Review>();
        using Stream stream = IdxFile.Open(full); // detects gzip by its header
        using var reader = new StreamReader(stream, Encoding.UTF8);
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            reviews.Add(ParseLine(line, full, lineNumber));
        }
        if (reviews.Count == 0) throw new DatasetException($"IMDB file '{full}' holds no reviews.");
        if (limit == 0 || limit >= reviews.Count) return reviews;
        var order = Enumerable.Range(0, reviews.Count).ToArray();
        new Random(SubsetSeed).Shuffle(order);
        return order.Take(limit).Order().Select(i => reviews[i]).ToList(); // file order within the subset
    }

    /// <summary>
    /// Reviews as token ids: float32 [N, <paramref name="maxLength"/>] holding the ids of the first maxLength words of each review
    /// (<see cref="PaddingId"/> after the end, <see cref="UnknownId"/> for words outside the training vocabulary). Ids are stored
    /// as float32 so the set fits <see cref="LabeledDataset"/>; they are exact because every id is below 2^24. A model converts
    /// them back with <c>input.to(ScalarType.Int64)</c> before its embedding.
    /// </summary>
    /// <param name="folder">Folder holding <see cref="TrainFile"/> and <see cref="TestFile"/>.</param>
    /// <param name="vocabularySize">Ids in use, including padding and unknown: the (vocabularySize - 2) most frequent training words get ids 2, 3, ...</param>
    /// <param name="maxLength">Tokens kept per review.</param>
    /// <param name="trainLimit">Keep a fixed random subset of this many training reviews (0 = all; see <see cref="ReadFile"/>).</param>
    /// <param name="testLimit">Keep a fixed random subset of this many test reviews (0 = all).</param>
    public static DatasetSplits TokenIds(string folder, int vocabularySize, int maxLength, int trainLimit = 0, int testLimit = 0)
    {
        if (vocabularySize < 3) throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, "The vocabulary needs padding, unknown and at least one word (3 ids).");
        if (maxLength < 1) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "Reviews need at least one token.");
        var (train, test) = ReadSplits(folder, trainLimit, testLimit);
        var vocabulary = Vocabulary.FromTexts(train.Select(r => r.Text), vocabularySize - 2);
        return new DatasetSplits(
            ToTokenIds(train, vocabulary, maxLength, Path.Combine(folder, TrainFile)),
            ToTokenIds(test, vocabulary, maxLength, Path.Combine(folder, TestFile))).Validate();
    }

    /// <summary>
    /// Reviews as bag-of-words features: float32 [N, <paramref name="vocabularySize"/>], feature j = log(1 + count of the j-th most
    /// frequent training word in the review); words outside the vocabulary are dropped.
    /// </summary>
    public static DatasetSplits BagOfWords(string folder, int vocabularySize, int trainLimit = 0, int testLimit = 0)
    {
        if (vocabularySize < 1) throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, "The vocabulary needs at least one word.");
        var (train, test) = ReadSplits(folder, trainLimit, testLimit);
        var vocabulary = Vocabulary.FromTexts(train.Select(r => r.Text), vocabularySize);
        return new DatasetSplits(
            ToBagOfWords(train, vocabulary, vocabularySize, Path.Combine(folder, TrainFile)),
            ToBagOfWords(test, vocabulary, vocabularySize, Path.Combine(folder, TestFile))).Validate();
    }

    /// <summary>
    /// Splits a review into lower-case words: HTML line breaks become spaces, a word is a run of letters, digits and inner
    /// apostrophes ("don't" stays one word).
    /// </summary>
    public static IEnumerable<string> Tokenize(string text)
    {
        var word = new StringBuilder();
        string cleaned = text.Replace("<br />", " ", StringComparison.OrdinalIgnoreCase).Replace("<br>", " ", StringComparison.OrdinalIgnoreCase);
        for (int i = 0; i < cleaned.Length; i++)
        {
            char c = cleaned[i];
            bool innerApostrophe = c == '\'' && word.Length > 0 && i + 1 < cleaned.Length && char.IsLetterOrDigit(cleaned[i + 1]);
            if (char.IsLetterOrDigit(c) || innerApostrophe)
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else if (word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
        }
        if (word.Length > 0) yield return word.ToString();
    }

    private static (IReadOnlyList<Review> Train, IReadOnlyList<Review> Test) ReadSplits(string folder, int trainLimit, int testLimit)
    {
        if (!Directory.Exists(folder))
            throw new DatasetException($"IMDB folder '{Path.GetFullPath(folder)}' does not exist; it must hold {TrainFile} and {TestFile} " +
                                       "(in this repository's environment: ../shared/data/imdb).");
        return (ReadFile(Locate(folder, TrainFile), trainLimit), ReadFile(Locate(folder, TestFile), testLimit));
    }

    // Prefers the gzip file, accepts the plain one.
    private static string Locate(string folder, string gzipName)
    {
        string gzip = Path.Combine(folder, gzipName);
        string plain = Path.Combine(folder, gzipName[..^".gz".Length]);
        return File.Exists(gzip) || !File.Exists(plain) ? gzip : plain;
    }

    private static Review ParseLine(string line, string file, int lineNumber)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new DatasetException($"{file}, line {lineNumber}: expected a JSON object {{\"text\": ..., \"label\": 0 or 1}}.");
            if (!root.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                throw new DatasetException($"{file}, line {lineNumber}: missing the string field \"text\".");
            if (!root.TryGetProperty("label", out var label) || label.ValueKind != JsonValueKind.Number || !label.TryGetInt32(out int value))
                throw new DatasetException($"{file}, line {lineNumber}: missing the integer field \"label\".");
            if (value is not (0 or 1))
                throw new DatasetException($"{file}, line {lineNumber}: label {value} is not 0 (negative) or 1 (positive).");
            return new Review(text.GetString()!, value);
        }
        catch (JsonException e)
        {
            throw new DatasetException($"{file}, line {lineNumber}: not valid JSON ({e.Message}).");
        }
    }

    private static LabeledDataset ToTokenIds(IReadOnlyList<Review> reviews, Vocabulary vocabulary, int maxLength, string name)
    {
        var ids = new float[reviews.Count * maxLength]; // zero = padding
        var labels = new long[reviews.Count];
        for (int r = 0; r < reviews.Count; r++)
        {
            int position = 0;
            foreach (string word in Tokenize(reviews[r].Text))
            {
                if (position == maxLength) break;
                ids[r * maxLength + position++] = vocabulary.TryGetRank(word, out int rank) ? rank + 2 : UnknownId;
            }
            labels[r] = reviews[r].Label;
        }
        return new LabeledDataset(name, tensor(ids, new long[] { reviews.Count, maxLength }), tensor(labels), ClassCount);
    }

    private static LabeledDataset ToBagOfWords(IReadOnlyList<Review> reviews, Vocabulary vocabulary, int width, string name)
    {
        var features = new float[reviews.Count * width];
        var labels = new long[reviews.Count];
        for (int r = 0; r < reviews.Count; r++)
        {
            foreach (string word in Tokenize(reviews[r].Text))
                if (vocabulary.TryGetRank(word, out int rank)) features[r * width + rank] += 1;
            for (int j = r * width; j < (r + 1) * width; j++) features[j] = MathF.Log(1 + features[j]);
            labels[r] = reviews[r].Label;
        }
        return new LabeledDataset(name, tensor(features, new long[] { reviews.Count, width }), tensor(labels), ClassCount);
    }
}

/// <summary>The most frequent words of a corpus, ranked (0 = most frequent; ties broken by ordinal word order, so it is deterministic).</summary>
public sealed class Vocabulary
{
    private readonly Dictionary<string, int> ranks;

    private Vocabulary(IReadOnlyList<string> words)
    {
        Words = words;
        ranks = new Dictionary<string, int>(words.Count, StringComparer.Ordinal);
        for (int i = 0; i < words.Count; i++) ranks[words[i]] = i;
    }

    /// <summary>The words, most frequent first.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>The rank of <paramref name="word"/>, when it is in the vocabulary.</summary>
    public bool TryGetRank(string word, out int rank) => ranks.TryGetValue(word, out rank);

    /// <summary>The <paramref name="size"/> most frequent words of <paramref name="texts"/> after <see cref="ImdbReviews.Tokenize"/>.</summary>
    public static Vocabulary FromTexts(IEnumerable<string> texts, int size)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string text in texts)
            foreach (string word in ImdbReviews.Tokenize(text))
                counts[word] = counts.GetValueOrDefault(word) + 1;
        var words = counts.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(size).Select(pair => pair.Key).ToList();
        return new Vocabulary(words);
    }
}
