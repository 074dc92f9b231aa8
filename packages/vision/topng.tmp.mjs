import sharp from 'sharp';
const [src, dst, ...rest] = process.argv.slice(2);
let im = sharp(src);
if (rest.length === 4) { const [l,t,w,h] = rest.map(Number); im = im.extract({left:l,top:t,width:w,height:h}); }
await im.png().toFile(dst);
