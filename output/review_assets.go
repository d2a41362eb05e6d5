package output

// The review site's style and scripts, inlined in every page so a page
// opened from disk, mailed or archived needs nothing else.

const reviewCSS = `
:root{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d1d1f;background:#fafafa}
body{margin:0}
header{padding:.6rem 1.2rem;background:#fff;border-bottom:1px solid #ddd}
header h1{font-size:1.2rem;margin:.3rem 0}
.meta{color:#555;margin:.2rem 0;font-size:.9rem}
.error,.bad{color:#b00020}
.legend{display:flex;flex-wrap:wrap;gap:.4rem .8rem;font-size:.8rem;margin:.4rem 0 .2rem;align-items:center}
.cat-demographic{--c:#ead9f7;--l:#f6effc;--d:#7b2fa6}
.cat-vital{--c:#ffd6d6;--l:#fff0f0;--d:#c62828}
.cat-lab{--c:#d3e5ff;--l:#eef5ff;--d:#1565c0}
.cat-score{--c:#ffeeaa;--l:#fff8dd;--d:#9a7600}
.cat-measurement{--c:#d3f1e2;--l:#eefaf4;--d:#2e7d57}
.cat-device{--c:#ffdcbc;--l:#fff1e4;--d:#c24e00}
.cat-medication{--c:#ccf1f5;--l:#ebfafb;--d:#00838f}
.cat-procedure{--c:#e8e0cc;--l:#f5f1e8;--d:#6d5c2e}
.cat-outcome{--c:#f9d3ea;--l:#fdeef7;--d:#ad1457}
.cat-condition{--c:#e2ebc1;--l:#f3f7e4;--d:#4f7f24}
.chip{display:inline-block;padding:0 .35em;border-radius:.3em;background:var(--c,#eee);border-bottom:2px solid var(--d,#999);font-size:.8em}
main{display:flex;gap:1rem;padding:1rem 1.2rem;align-items:flex-start}
.text{flex:1 1 60%;white-space:pre-wrap;overflow-wrap:anywhere;font:15px/1.65 Georgia,"Times New Roman",serif;background:#fff;padding:1rem 1.4rem;border:1px solid #ddd;border-radius:6px;max-width:60rem}
mark.hl{background:var(--c);color:inherit;border-bottom:2px solid var(--d);border-radius:2px;cursor:pointer}
mark.multi{border-bottom-width:4px;border-bottom-style:double}
mark.a-negated,.chip.a-negated{background:#e4e4e4;text-decoration:line-through 2px var(--d);border-bottom-color:#888}
mark.a-possible,mark.a-hypothetical,.chip.a-possible,.chip.a-hypothetical{background:var(--l);border-bottom-style:dotted}
mark.a-historical,.chip.a-historical{background:var(--l);border-bottom-style:dashed}
mark.notpatient,.chip.notpatient{background:var(--l);outline:1px dashed #666;font-style:italic;border-bottom-color:transparent}
mark.flagged,.chip.flagged{box-shadow:inset 0 -3px 0 #d00}
mark.sel{outline:2px solid #000;outline-offset:1px}
aside{flex:0 0 34%;position:sticky;top:.5rem;max-height:calc(100vh - 1rem);display:flex;flex-direction:column;gap:.6rem}
.details{flex:none;background:#fff;border:1px solid #ddd;border-radius:6px;padding:.5rem .8rem;font-size:.85rem;max-height:45vh;overflow:auto}
.details table{border-collapse:collapse;width:100%}
.details th{text-align:left;color:#555;font-weight:normal;padding-right:.6rem;vertical-align:top;white-space:nowrap}
.details td{overflow-wrap:anywhere}
.hint{color:#777}
.list{flex:1 1 auto;min-height:0;background:#fff;border:1px solid #ddd;border-radius:6px;margin:0;padding:.4rem .4rem .4rem 2.4rem;overflow:auto;font-size:.85rem}
.list li{margin:.15rem 0;padding:.1rem .2rem;border-radius:3px}
.list li.sel{background:#ffffb0}
.list a{color:inherit;text-decoration:none}
.list small{color:#666}
.flags{color:#c00;font-size:.8em}
.index table{border-collapse:collapse;background:#fff;font-size:.85rem}
.index th,.index td{border:1px solid #ddd;padding:.2rem .45rem;text-align:right}
.index td:nth-child(2),.index td:nth-child(3),.index td:last-child{text-align:left}
.index th{background:#f0f0f0;cursor:pointer;position:sticky;top:0}
.index tfoot td{font-weight:bold;background:#f7f7f7}
.flagcount:not(:empty){color:#c00}
`

const legendHTML = `<div class="legend"><span class="chip cat-demographic">demographic</span><span class="chip cat-vital">vital</span><span class="chip cat-lab">lab</span><span class="chip cat-score">score</span><span class="chip cat-measurement">measurement</span><span class="chip cat-device">device</span><span class="chip cat-medication">medication</span><span class="chip cat-procedure">procedure</span><span class="chip cat-outcome">outcome</span><span class="chip cat-condition">condition</span>
<span>|</span><span class="chip cat-lab a-present">present</span><span class="chip cat-lab a-negated">negated</span><span class="chip cat-lab a-possible">possible / hypothetical</span><span class="chip cat-lab a-historical">historical</span><span class="chip cat-lab notpatient">not the patient</span><span class="chip cat-lab flagged">flagged</span></div>`

// reviewJS wires the page: a click on a highlight shows its finding (again
// to cycle through nested ones), a click in the list jumps to the text.
// Details are set with textContent, never innerHTML.
const reviewJS = `
(function(){
var data=JSON.parse(document.getElementById("findings-data").textContent);
var text=document.getElementById("text"),details=document.getElementById("details");
var cur=-1;
function marks(i){return text.querySelectorAll('mark[data-f~="'+i+'"]');}
function row(t,k,v){if(v===null||v===undefined||v===""||(Array.isArray(v)&&!v.length))return;var tr=t.insertRow(),th=document.createElement("th");th.textContent=k;tr.appendChild(th);tr.insertCell().textContent=typeof v==="object"?JSON.stringify(v):String(v);}
function show(i){var f=data[i];details.textContent="";var t=document.createElement("table");
var val=f.value===null?"":(f.operator||"")+f.value+(f.value_max!==null?"–"+f.value_max:"");
row(t,"label",f.label);row(t,"value",val);row(t,"unit",f.unit);row(t,"category",f.category);row(t,"concept",f.concept);
row(t,"assertion",f.assertion);row(t,"subject",f.subject);row(t,"rule",f.rule);row(t,"flags",(f.flags||[]).join(", "));
row(t,"attributes",f.attributes);if(f.context_cue)row(t,"context cue",f.context_cue.text?f.context_cue.text+" ("+f.context_cue.id+")":f.context_cue.id);
row(t,"evidence",f.text);row(t,"offsets","["+f.start+", "+f.end+") value ["+f.value_start+", "+f.value_end+")");
row(t,"case / section",f.case+" / "+f.section);row(t,"sentence",f.sentence);details.appendChild(t);}
function select(i,jump){document.querySelectorAll(".sel").forEach(function(e){e.classList.remove("sel");});
cur=i;marks(i).forEach(function(m){m.classList.add("sel");});
var li=document.getElementById("l-"+i);if(li){li.classList.add("sel");li.scrollIntoView({block:"nearest"});}
show(i);if(jump){var a=document.getElementById("f-"+i);if(a)a.scrollIntoView({block:"center"});}}
text.addEventListener("click",function(e){var m=e.target.closest("mark");if(!m)return;
var ids=m.getAttribute("data-f").split(" ").map(Number);select(ids[(ids.indexOf(cur)+1)%ids.length],false);});
document.getElementById("list").addEventListener("click",function(e){var a=e.target.closest("a[data-i]");if(!a)return;
e.preventDefault();var i=Number(a.getAttribute("data-i"));history.replaceState(null,"","#f-"+i);select(i,true);});
var h=/^#f-(\d+)$/.exec(location.hash);if(h&&data[+h[1]])select(+h[1],true);
})();
`

// indexJS sorts the documents table by a clicked column.
const indexJS = `
(function(){
var table=document.getElementById("docs"),body=table.tBodies[0],dir={};
table.tHead.addEventListener("click",function(e){var th=e.target.closest("th");if(!th)return;
var k=th.cellIndex,d=dir[k]=-(dir[k]||-1);
var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=a.cells[k].textContent,y=b.cells[k].textContent,nx=parseFloat(x)||0,ny=parseFloat(y)||0;
return d*((k===1||k===2||k===th.parentNode.cells.length-1)?x.localeCompare(y):nx-ny);});
rows.forEach(function(r){body.appendChild(r);});});
})();
`
