/**
 * The browser side of the HTML report, as text: reads the embedded chart data and draws each
 * chart with uPlot (inlined next to it). No network, no framework: the file opens from disk.
 */
export const REPORT_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
  var timeZone = data.timeZone;
  function tzDate(seconds) { return uPlot.tzDate(new Date(seconds * 1000), timeZone); }
  // 24-hour labels in the business zone; the date shows at midnight and on multi-day charts.
  var timeOfDay = new Intl.DateTimeFormat('en-GB', { timeZone: timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  var dayOfMonth = new Intl.DateTimeFormat('en-GB', { timeZone: timeZone, month: 'short', day: 'numeric' });
  function timeLabels(u, splits) {
    var span = splits.length > 1 ? splits[splits.length - 1] - splits[0] : 0;
    return splits.map(function (s) {
      var date = new Date(s * 1000);
      var time = timeOfDay.format(date);
      if (span > 3 * 86400) return dayOfMonth.format(date);
      return time === '00:00' ? dayOfMonth.format(date) : time;
    });
  }
  function draw(chart) {
    var holder = document.getElementById('chart-' + chart.id);
    if (!holder || chart.xs.length === 0) return;
    var width = Math.max(320, holder.clientWidth);
    var series = [{}].concat(chart.series.map(function (s) {
      return {
        label: s.label,
        stroke: palette[s.group % palette.length],
        width: s.emphasis ? 3 : s.dashed ? 1.5 : 2,
        dash: s.emphasis ? [10, 4] : s.dashed ? [3, 3] : undefined,
        spanGaps: false,
        paths: chart.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
        points: { show: chart.xs.length < 60 },
      };
    }));
    var columns = [chart.xs].concat(chart.series.map(function (s) { return s.values; }));
    new uPlot({
      width: width,
      height: 260,
      tzDate: tzDate,
      series: series,
      axes: [{ values: timeLabels }, { label: chart.unit, size: 56 }],
      scales: { x: { time: true } },
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    }, columns, holder);
  }
  data.charts.forEach(draw);
})();
`;
