// ?remove=AbortSignal.any (repeatable) deletes that API before the loader runs, so a
// current engine shows what a browser below the baseline does.
new URLSearchParams(location.search).getAll("remove").forEach((path) => {
  var names = path.split(".");
  var last = names.pop();
  var owner = names.reduce((object, name) => object[name], window);
  delete owner[last];
  if (last in owner) throw new Error(`could not remove ${path}`);
});
